"""Read-model tables for chargebacks and the support contacts that decide them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.types import AmountColumn, UTCDateTime, utcnow


class Dispute(SQLModel, table=True):
    """A Stripe dispute as its workflow last published it."""

    __tablename__ = "disputes"

    dispute_id: str = Field(primary_key=True, max_length=255)
    workflow_id: str = Field(max_length=300, unique=True)
    charge_id: str = Field(max_length=255)
    payment_intent_id: str | None = Field(default=None, index=True, max_length=255)
    customer_id: str | None = Field(default=None, index=True, max_length=64)
    amount_minor: int = Field(sa_type=AmountColumn)
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=60)
    status: str = Field(max_length=30, index=True)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    due_by: datetime | None = Field(default=None, sa_type=UTCDateTime)
    prior_contact: bool | None = None
    prior_contact_clause: str | None = Field(default=None, max_length=1000)
    prior_contact_evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    suspended: bool = False
    order_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    refund_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evidence_submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=30)
    timeline: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerContact(SQLModel, table=True):
    """A time the customer reached support (before a chargeback, this counts as prior contact)."""

    __tablename__ = "customer_contacts"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.customer_id", index=True, max_length=64)
    channel: str = Field(max_length=30)
    contacted_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=120)
    # The staff id behind the name (NULL on contacts recorded before revision 0014).
    recorded_by_id: str | None = Field(default=None, max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
