"""The service's one settings class, read from environment variables (and an optional .env)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = REPO_ROOT / "var"


class Settings(BaseSettings):
    """Every knob of the service; each field is the upper-cased environment variable of its name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "refunds"
    temporal_stripe_task_queue: str = Field(
        "refunds-stripe", description="Queue of Stripe activities, rate-limited across all workers."
    )
    temporal_api_key: SecretStr | None = None
    temporal_tls: bool = False
    temporal_ui_url: str = "http://127.0.0.1:8233"

    # Local state of the embedded stack (SQLite read model, Temporal's and the emulator's files)
    var_dir: Path = DEFAULT_VAR_DIR

    # Read model
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under VAR_DIR.")
    migrate_on_start: bool = Field(True, description="The API applies Alembic migrations when it starts.")

    # Stripe
    stripe_api_key: SecretStr = SecretStr("sk_test_emulator")
    stripe_api_base: str | None = Field(
        None, description="Base URL of a Stripe-compatible API (the emulator); unset means real Stripe."
    )
    stripe_webhook_secret: SecretStr | None = None
    stripe_max_requests_per_second: float = Field(
        20.0, gt=0, description="Ceiling on Stripe calls across all workers (task-queue rate limit)."
    )

    # API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_api_url: str = "http://127.0.0.1:8000"
    dev_tokens: bool = Field(False, description="Create the fixed dev-* tokens (embedded stack only).")

    # Logging
    log_level: str = "INFO"
    log_format: str = Field("json", pattern="^(json|text)$")

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_driver(cls, url: str) -> str:
        """Accept plain postgres:// URLs and use the psycopg 3 driver for them."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        """SQLite under var_dir unless DATABASE_URL names another database."""
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'refunds.db'}")
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the read model lives in SQLite."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
