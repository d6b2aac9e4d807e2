"""Read-model tables (SQLModel): staff, customers and orders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.types import AmountColumn, UTCDateTime, utcnow

STAFF_NAME_LENGTH = 120
RESTRICTED_REASON_LENGTH = 500


def _ts(nullable: bool = False, index: bool = False):
    """A UTC timestamp column."""
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index)


class StaffMember(SQLModel, table=True):
    """A person or integration holding an API token; only the token's hash is kept."""

    __tablename__ = "staff"

    staff_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=STAFF_NAME_LENGTH, unique=True)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    token_hint: str = Field(max_length=16, description="First characters of the token, to tell tokens apart.")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Customer(SQLModel, table=True):
    """A customer of the shop, and whether chargebacks restricted their future orders."""

    __tablename__ = "customers"

    customer_id: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254)
    restricted: bool = False
    restricted_reason: str | None = Field(default=None, max_length=RESTRICTED_REASON_LENGTH)
    restricted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Order(SQLModel, table=True):
    """A paid subscription order as the shop registered it."""

    __tablename__ = "orders"

    order_id: str = Field(primary_key=True, max_length=64)
    customer_id: str = Field(foreign_key="customers.customer_id", index=True, max_length=64)
    customer_email: str = Field(max_length=254)
    plan_months: int
    amount_minor: int = Field(sa_type=AmountColumn)
    currency: str = Field(max_length=3)
    payment_intent_id: str = Field(index=True, max_length=255)
    paid_at: datetime = Field(sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locale: str = Field(default="en", max_length=8)
    status: str = Field(default="paid", max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
