"""The service's one settings class, read from environment variables (and an optional .env)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from temporalio.service import TLSConfig

from domain.policy import PolicyParameters, check_holiday_calendar
from domain.refund_messages import RefundRuntime

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = REPO_ROOT / "var"
MIN_SIGNING_KEY_LENGTH = 32


def _is_loopback(host: str | None) -> bool:
    """Whether a host name or address is this machine."""
    return host in {"127.0.0.1", "localhost", "::1"} or (host or "").startswith("127.")


def _is_local_database(url: str) -> bool:
    """SQLite, or a server on this machine."""
    parsed = make_url(url)
    # No host means a Unix socket: this machine too.
    return parsed.get_backend_name() == "sqlite" or parsed.host is None or _is_loopback(parsed.host)


class MissingSigningKey(ValueError):
    """ACTOR_SIGNING_KEY is needed by whatever talks to Temporal."""


class Settings(BaseSettings):
    """Every knob of the service; each field is the upper-cased environment variable of its name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # Temporal
    temporal_address: str = Field("127.0.0.1:7233", description="Temporal frontend, host:port.")
    temporal_namespace: str = Field("default", description="Temporal namespace of our workflows.")
    temporal_task_queue: str = Field("refunds", description="Task queue of the workflows and the database activities.")
    temporal_stripe_task_queue: str = Field(
        "refunds-stripe", description="Queue of Stripe activities, rate-limited across all workers."
    )
    temporal_api_key: SecretStr | None = Field(
        None, description="API key for Temporal Cloud; unset for a self-hosted or local server."
    )
    temporal_tls: bool = Field(False, description="Connect to Temporal over TLS (true for Temporal Cloud).")
    temporal_tls_cert: Path | None = Field(
        None, description="Client certificate (PEM) for mTLS to Temporal; with TEMPORAL_TLS_KEY it implies TLS."
    )
    temporal_tls_key: Path | None = Field(None, description="Private key (PEM) of TEMPORAL_TLS_CERT.")
    temporal_tls_ca: Path | None = Field(
        None, description="CA certificate (PEM) that signed Temporal's server certificate; unset: the system's."
    )
    actor_signing_key: SecretStr | None = Field(
        None,
        description=(
            "Shared by API and worker (at least 32 characters): the API signs every workflow start and update with"
            " it and the worker refuses calls it did not sign. Required; `make run` generates one."
        ),
    )
    signed_call_validity: timedelta = Field(
        timedelta(minutes=5), description="How long a signed workflow start or update stays valid."
    )
    temporal_ui_url: str = Field(
        "http://127.0.0.1:8233", description="Temporal Web UI; `make run` serves it on this port."
    )

    # Local state of the embedded stack (SQLite read model, Temporal's and the emulator's files)
    var_dir: Path = Field(
        DEFAULT_VAR_DIR,
        description="Local data of `make run`: SQLite read model, Temporal's and the emulator's files, logs.",
    )

    # Read model
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under VAR_DIR.")
    migrate_on_start: bool = Field(True, description="The API applies Alembic migrations when it starts.")

    # Stripe
    stripe_api_key: SecretStr = Field(
        SecretStr("sk_test_emulator"),
        description="Stripe secret key (sk_test_... or sk_live_...); the default only works with the emulator.",
    )
    stripe_api_base: str | None = Field(
        None, description="Base URL of a Stripe-compatible API (the emulator); unset means real Stripe."
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="Signing secret (whsec_...) of our webhook endpoint; `make run` takes the emulator's."
    )
    stripe_max_requests_per_second: float = Field(
        20.0, gt=0, description="Ceiling on Stripe calls across all workers (task-queue rate limit)."
    )

    # Refund policy parameters, copied into each new refund (a running refund keeps the ones it began with)
    refund_notice_window: timedelta = Field(
        timedelta(hours=72), description="'Notified us immediately': contact within this time after payment."
    )
    refund_duplicate_window: timedelta = Field(
        timedelta(hours=72), description="Two same-amount payments this close count as a duplicate."
    )
    refund_auto_approve_max_minor: int = Field(
        5000, ge=0, description="Automatically verified refunds up to this amount need no approver."
    )
    refund_second_approval_above_minor: int = Field(
        20000, ge=0, description="Above this amount a second approval, by finance, is required."
    )
    refund_approval_reminder_after: timedelta = Field(
        timedelta(hours=24), description="Undecided approvals escalate after this."
    )
    refund_approval_expires_after: timedelta = Field(
        timedelta(days=7), description="Undecided approvals expire after this; the customer is told."
    )
    refund_troubleshooting_escalate_after: timedelta = Field(
        timedelta(hours=48), description="Troubleshooting left undecided goes to an approver after this."
    )
    settlement_holiday_country: str = Field("FR", description="Country whose public holidays are not business days.")
    settlement_holiday_subdivision: str | None = Field(
        None, description="Region of that country whose holidays also count; unset: national ones only."
    )
    stripe_call_timeout: timedelta = Field(
        timedelta(seconds=30), description="Start-to-close timeout of one Stripe call."
    )
    stripe_retry_window: timedelta = Field(
        timedelta(hours=24),
        description="How long a refund's Stripe call is retried before Stripe's records decide its outcome.",
    )
    refund_status_poll_interval: timedelta = Field(
        timedelta(minutes=30), description="Ask Stripe about a pending refund when no webhook came for this long."
    )
    refund_start_grace: timedelta = Field(
        timedelta(seconds=30),
        description="A recorded refund whose workflow has not begun after this long is started again by the API.",
    )

    # Chargebacks
    dispute_evidence_lead_time: timedelta = Field(
        timedelta(days=2), description="Submit dispute evidence this long before Stripe's deadline."
    )

    # API
    api_host: str = Field("127.0.0.1", description="Interface the API listens on.")
    api_port: int = Field(8000, description="Port the API listens on.")
    public_api_url: str = Field(
        "http://127.0.0.1:8000", description="The API's address as people and Stripe webhooks reach it."
    )
    dev_tokens: bool = Field(False, description="Create the fixed dev-* tokens (embedded stack only).")
    api_max_body_bytes: int = Field(
        1_048_576, ge=1, description="Request bodies larger than this are refused with 413 before they are read."
    )
    auth_failure_limit: str = Field(
        "20/minute",
        description=(
            "Unknown or revoked tokens one client address may send in this window (`limits` notation); beyond it "
            "its sign-ins are answered 429 until the window passes."
        ),
    )
    console_session_idle: timedelta = Field(
        timedelta(minutes=30), description="A console session unused this long ends; the person signs in again."
    )
    console_session_max: timedelta = Field(
        timedelta(hours=12), description="A console session ends this long after signing in, however active."
    )
    customer_link_key: SecretStr | None = Field(
        None,
        description=(
            "Signs the links to customers' refund pages in their emails (at least 32 characters); unset: derived"
            " from ACTOR_SIGNING_KEY. Changing it makes every link already sent invalid."
        ),
    )
    customer_link_validity: timedelta = Field(
        timedelta(days=90), description="How long the link in a customer email opens their refund page."
    )
    request_form_limit_per_client: str = Field(
        "10/hour", description="Refund requests one client address may send on the public form (`limits` notation)."
    )
    request_form_limit_per_order: str = Field(
        "3/day", description="Refund requests the public form takes for one order id, whoever sends them."
    )
    webhook_delivery_timeout: timedelta = Field(
        timedelta(seconds=5),
        description=(
            "A webhook whose workflow does not take it within this long is answered 503, so Stripe sends it again."
        ),
    )

    # Customer emails (outbox relay in the worker; empty SMTP_URL leaves messages queued)
    smtp_url: SecretStr = Field(
        SecretStr(""),
        description=(
            "smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465; empty disables delivery."
        ),
    )
    mail_from: str = Field("Refunds <refunds@localhost>", description="Sender of customer emails.")
    smtp_timeout_seconds: float = Field(15.0, gt=0, description="Seconds to wait for the SMTP server.")
    outbox_poll_seconds: float = Field(5.0, gt=0, description="How often the relay looks for due emails when idle.")
    outbox_batch_size: int = Field(20, ge=1, le=500, description="Emails the relay sends per round.")
    outbox_max_attempts: int = Field(
        40, ge=1, description="Failed attempts before an email is given up (40 ≈ 1.5 days with backoff capped at 1 h)."
    )

    # Events to the shop (relay in the worker; endpoints registered by an admin, POST /shop-endpoints)
    shop_events_poll_seconds: float = Field(
        5.0, gt=0, description="How often the shop-event relay looks for due deliveries when idle."
    )
    shop_events_batch_size: int = Field(20, ge=1, le=500, description="Deliveries the relay leases per round.")
    shop_events_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="Seconds a shop endpoint has to answer one delivery; slower counts as failed."
    )
    shop_events_retry_base: timedelta = Field(
        timedelta(seconds=30), description="Wait after a delivery's first failure; doubled after each next one."
    )
    shop_events_retry_cap: timedelta = Field(
        timedelta(hours=1), description="Longest wait between two attempts of one delivery."
    )
    shop_events_give_up_after: timedelta = Field(
        timedelta(days=3),
        description="A delivery still failing this long after it was queued (or replayed) is given up.",
    )
    shop_receiver_port: int = Field(
        8025,
        description="Port of `make run`'s local shop-event receiver (it logs each event to VAR_DIR/shop-events.log).",
    )

    # Metrics
    worker_metrics_address: str = Field(
        "127.0.0.1:9464", description="Where the worker serves Prometheus metrics (SDK and ours); empty turns it off."
    )

    # Logging
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: str = Field("json", pattern="^(json|text)$", description="`json` (one object a line) or `text`.")

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_driver(cls, url: str) -> str:
        """Accept plain postgres:// URLs and use the psycopg 3 driver for them."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("temporal_tls_cert", "temporal_tls_key", "temporal_tls_ca", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value: object) -> object:
        """An empty variable (compose's `${VAR:-}`) means unset, not the current directory."""
        return None if value == "" else value

    @field_validator("actor_signing_key")
    @classmethod
    def _long_signing_key(cls, key: SecretStr | None) -> SecretStr | None:
        """A short key can be guessed: refuse it at start."""
        if key is not None and len(key.get_secret_value()) < MIN_SIGNING_KEY_LENGTH:
            raise ValueError(f"ACTOR_SIGNING_KEY must be at least {MIN_SIGNING_KEY_LENGTH} characters long")
        return key

    @field_validator("customer_link_key")
    @classmethod
    def _long_link_key(cls, key: SecretStr | None) -> SecretStr | None:
        """A short key can be guessed: refuse it at start."""
        if key is not None and len(key.get_secret_value()) < MIN_SIGNING_KEY_LENGTH:
            raise ValueError(f"CUSTOMER_LINK_KEY must be at least {MIN_SIGNING_KEY_LENGTH} characters long")
        return key

    def link_key(self) -> bytes:
        """The key of customer links: CUSTOMER_LINK_KEY, or one derived from ACTOR_SIGNING_KEY for this use only."""
        if self.customer_link_key is not None:
            return self.customer_link_key.get_secret_value().encode()
        # A derived key, so a leaked link key never signs workflow calls.
        return hmac.new(self.signing_key(), b"customer-refund-page-links", hashlib.sha256).digest()

    def signing_key(self) -> bytes:
        """The key API and worker sign and check workflow calls with; a clear error when it is not set."""
        if self.actor_signing_key is None:
            raise MissingSigningKey(
                "ACTOR_SIGNING_KEY is not set: API and worker need the same secret of at least"
                f" {MIN_SIGNING_KEY_LENGTH} characters; make one with"
                " `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return self.actor_signing_key.get_secret_value().encode()

    @field_validator("auth_failure_limit", "request_form_limit_per_client", "request_form_limit_per_order")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        """A limit `limits` cannot read would only fail at the first bad token: refuse it at start instead."""
        try:
            allowed = parse(value).amount
        except ValueError:
            allowed = 0
        if allowed < 1:
            raise ValueError(f"{value!r} is not a rate limit such as '20/minute' or '100 per hour'")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        """SQLite under var_dir unless DATABASE_URL names another database."""
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'refunds.db'}")
        return self

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        """A client certificate without its key (or the reverse) would only fail when connecting: refuse it now."""
        if (self.temporal_tls_cert is None) != (self.temporal_tls_key is None):
            raise ValueError("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mTLS, or neither")
        return self

    def temporal_tls_config(self) -> TLSConfig | bool:
        """What the Temporal client connects with: mTLS with our certificate, plain TLS, or no TLS."""
        if self.temporal_tls_cert is None or self.temporal_tls_key is None:
            return (
                TLSConfig(server_root_ca_cert=self.temporal_tls_ca.read_bytes())
                if self.temporal_tls_ca
                else self.temporal_tls
            )
        return TLSConfig(
            client_cert=self.temporal_tls_cert.read_bytes(),
            client_private_key=self.temporal_tls_key.read_bytes(),
            server_root_ca_cert=self.temporal_tls_ca.read_bytes() if self.temporal_tls_ca else None,
        )

    @model_validator(mode="after")
    def _dev_tokens_only_locally(self) -> Settings:
        """Dev tokens are public knowledge: refuse them unless the API and its database are on this machine."""
        if self.dev_tokens and not (_is_loopback(self.api_host) and _is_local_database(self.database_url)):
            raise ValueError(
                "DEV_TOKENS=true is only allowed when API_HOST is a loopback address and DATABASE_URL is SQLite or a"
                " database on this machine: anyone knowing the dev-* tokens could act as staff"
            )
        return self

    @model_validator(mode="after")
    def _known_holiday_calendar(self) -> Settings:
        """An unknown country would only fail when the first refund succeeds: refuse it at start instead."""
        check_holiday_calendar(self.settlement_holiday_country, self.settlement_holiday_subdivision)
        return self

    def policy_parameters(self) -> PolicyParameters:
        """The policy parameters a new refund starts with."""
        return PolicyParameters(
            notice_window=self.refund_notice_window,
            duplicate_window=self.refund_duplicate_window,
            auto_approve_max_minor=self.refund_auto_approve_max_minor,
            second_approval_above_minor=self.refund_second_approval_above_minor,
            approval_reminder_after=self.refund_approval_reminder_after,
            approval_expires_after=self.refund_approval_expires_after,
            troubleshooting_escalate_after=self.refund_troubleshooting_escalate_after,
            holiday_country=self.settlement_holiday_country,
            holiday_subdivision=self.settlement_holiday_subdivision,
        )

    def refund_runtime(self) -> RefundRuntime:
        """Operational parameters a new refund starts with."""
        return RefundRuntime(
            stripe_task_queue=self.temporal_stripe_task_queue,
            stripe_call_timeout=self.stripe_call_timeout,
            stripe_retry_window=self.stripe_retry_window,
            status_poll_interval=self.refund_status_poll_interval,
        )

    @property
    def console_cookie_secure(self) -> bool:
        """Console cookies are sent over HTTPS only when people reach the service over HTTPS."""
        return self.public_api_url.lower().startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        """Whether the read model lives in SQLite."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
