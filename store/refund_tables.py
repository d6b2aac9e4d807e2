"""Read-model tables for refunds: the current state, the append-only audit trail, the email outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import AmountColumn, UTCDateTime, utcnow


class Refund(SQLModel, table=True):
    """A refund as the workflow last published it; lists and finance views read this."""

    __tablename__ = "refunds"

    refund_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(max_length=100, unique=True)
    order_id: str = Field(foreign_key="orders.order_id", index=True, max_length=64)
    customer_id: str = Field(index=True, max_length=64)
    # Equals order_id while the refund is open, NULL once it ends: a unique index allows one open refund per order.
    open_order_id: str | None = Field(default=None, unique=True, max_length=64)
    reason: str = Field(max_length=40)
    status: str = Field(max_length=20, index=True)
    amount_minor: int = Field(sa_type=AmountColumn)
    currency: str = Field(max_length=3)
    requested_by_id: str = Field(max_length=64)
    requested_by_name: str = Field(max_length=120)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    customer_contacted_at: datetime = Field(sa_type=UTCDateTime)
    # The order's refunds rejected before this request was made: the approver sees it is a new try.
    earlier_rejected_refund_ids: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    note: str | None = Field(default=None, max_length=2000)
    legal_basis: str | None = Field(default=None, max_length=500)
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_fingerprint: str = Field(max_length=64)
    policy_version: str | None = Field(default=None, max_length=10)
    # The parameters in force when the refund was requested (thresholds, windows, holiday country).
    policy_parameters: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The workflow's input as recorded with the request: a refund whose workflow did not start is started with it later.
    workflow_input: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    decision_path: str | None = Field(default=None, max_length=40)
    decision_rule: str | None = Field(default=None, max_length=60)
    decision_clause: str | None = Field(default=None, max_length=1000)
    decision_verified: bool = False
    # Why a person must approve what the rule alone would have let the system approve (see PolicyAssessment).
    decision_needs_person: str | None = Field(default=None, max_length=1000)
    decision_evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    approvals: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    approvals_required: int = 1
    escalated: bool = False
    stripe_refund_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_status: str | None = Field(default=None, max_length=30)
    stripe_attempt: int = 0
    failure_reason: str | None = Field(default=None, max_length=1000)
    succeeded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expected_from: date | None = None
    expected_by: date | None = Field(default=None, index=True)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, max_length=300)
    dispute_id: str | None = Field(default=None, max_length=255)
    # Set when something arrives after the workflow ended (a late refund.failed): finance must look.
    needs_attention: bool = Field(default=False, index=True)
    attention_reason: str | None = Field(default=None, max_length=1000)
    timeline_length: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefundEvent(SQLModel, table=True):
    """One audited step of a refund: append-only, one row per (refund, seq)."""

    __tablename__ = "refund_events"
    __table_args__ = (UniqueConstraint("refund_id", "seq", name="uq_refund_events_refund_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    refund_id: str = Field(foreign_key="refunds.refund_id", index=True, max_length=64)
    seq: int
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    status: str = Field(max_length=20)
    actor_id: str = Field(max_length=64)
    actor_name: str = Field(max_length=120)
    note: str | None = Field(default=None, max_length=2000)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """A customer email waiting for (or done with) SMTP delivery; written in the same transaction as the state."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=200, unique=True, description="Makes writing a message idempotent.")
    refund_id: str | None = Field(default=None, index=True, max_length=64)
    to_email: str = Field(max_length=254)
    locale: str = Field(default="en", max_length=8)
    template: str = Field(max_length=40)
    context: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    # The relay's lease while it sends: another relay takes the message only once the lease lapses.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Delivery given up (permanent SMTP refusal or too many attempts): never retried, shown for follow-up.
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StripeEventRecord(SQLModel, table=True):
    """Every Stripe webhook event we accepted, once: duplicates are answered 200 and ignored."""

    __tablename__ = "stripe_events"

    event_id: str = Field(primary_key=True, max_length=255)
    event_type: str = Field(max_length=80)
    object_id: str | None = Field(default=None, max_length=255, index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: str = Field(default="received", max_length=200)
