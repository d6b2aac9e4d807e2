"""The service's one settings class, read from environment variables (and an optional .env)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.policy import PolicyParameters
from domain.refund_messages import RefundRuntime

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

    # Refund policy parameters, copied into each new refund (a running refund keeps the ones it began with)
    refund_notice_window: timedelta = Field(timedelta(hours=72), description="'Notified us immediately': contact within this time after payment.")
    refund_duplicate_window: timedelta = Field(timedelta(hours=72), description="Two same-amount payments this close count as a duplicate.")
    refund_auto_approve_max_minor: int = Field(5000, ge=0, description="Automatically verified refunds up to this amount need no approver.")
    refund_second_approval_above_minor: int = Field(20000, ge=0, description="Above this amount a second approval, by finance, is required.")
    refund_approval_reminder_after: timedelta = Field(timedelta(hours=24), description="Undecided approvals escalate after this.")
    refund_approval_expires_after: timedelta = Field(timedelta(days=7), description="Undecided approvals expire after this; the customer is told.")
    refund_troubleshooting_escalate_after: timedelta = Field(timedelta(hours=48), description="Troubleshooting left undecided goes to an approver after this.")
    settlement_holiday_country: str = Field("FR", description="Country whose public holidays are not business days.")
    settlement_holiday_subdivision: str | None = None
    stripe_call_timeout: timedelta = Field(timedelta(seconds=30), description="Start-to-close timeout of one Stripe call.")
    refund_status_poll_interval: timedelta = Field(timedelta(minutes=30), description="Ask Stripe about a pending refund when no webhook came for this long.")

    # Chargebacks
    dispute_evidence_lead_time: timedelta = Field(timedelta(days=2), description="Submit dispute evidence this long before Stripe's deadline.")

    # API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_api_url: str = "http://127.0.0.1:8000"
    dev_tokens: bool = Field(False, description="Create the fixed dev-* tokens (embedded stack only).")

    # Customer emails (outbox relay in the worker; empty SMTP_URL leaves messages queued)
    smtp_url: SecretStr = Field(
        SecretStr(""),
        description="smtp://host:25, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465; empty disables delivery.",
    )
    mail_from: str = "Refunds <refunds@localhost>"
    smtp_timeout_seconds: float = Field(15.0, gt=0)
    outbox_poll_seconds: float = Field(5.0, gt=0, description="How often the relay looks for due emails when idle.")
    outbox_batch_size: int = Field(20, ge=1, le=500)
    outbox_max_attempts: int = Field(40, ge=1, description="Failed attempts before an email is given up (40 ≈ 1.5 days with backoff capped at 1 h).")

    # Metrics
    worker_metrics_address: str = Field(
        "127.0.0.1:9464", description="Where the worker serves Prometheus metrics (SDK and ours); empty turns it off."
    )

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
            status_poll_interval=self.refund_status_poll_interval,
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether the read model lives in SQLite."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
