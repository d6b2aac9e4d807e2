"""Read-model tables (SQLModel): staff, customers, orders and the append-only trail of changes to them."""

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


class Person(SQLModel, table=True):
    """Someone (or an integration) behind one or more staff records; separation of duties applies per person."""

    __tablename__ = "people"

    person_id: str = Field(primary_key=True, max_length=64)
    # Lower-cased; unique, so two staff records given the same email are the same person. None for integrations.
    email: str | None = Field(default=None, max_length=254, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffMember(SQLModel, table=True):
    """A staff record of a person: roles and an API token, of which only the hash is kept."""

    __tablename__ = "staff"

    staff_id: str = Field(primary_key=True, max_length=64)
    person_id: str = Field(foreign_key="people.person_id", max_length=64, index=True)
    name: str = Field(max_length=STAFF_NAME_LENGTH, unique=True)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    token_hint: str = Field(max_length=16, description="First characters of the token, to tell tokens apart.")
    # The console password as an argon2id hash (services/passwords.py); None: this record cannot sign in.
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffEvent(SQLModel, table=True):
    """One change to a staff record (created, revoked, dev token switched off): append-only."""

    __tablename__ = "staff_events"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: str = Field(foreign_key="staff.staff_id", max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    # Who made the change: the operating-system user behind the CLI, or the service itself at start-up.
    by: str = Field(max_length=STAFF_NAME_LENGTH)
    note: str | None = Field(default=None, max_length=2000)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ConsoleSession(SQLModel, table=True):
    """A signed-in console session; the cookie holds its id, of which only the SHA-256 hash is kept."""

    __tablename__ = "console_sessions"

    session_hash: str = Field(primary_key=True, max_length=64)
    staff_id: str = Field(foreign_key="staff.staff_id", max_length=64, index=True)
    # Every form of the session carries it; a POST without it is refused (cross-site request forgery).
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The absolute end, whatever the activity; the idle end is last_seen_at plus CONSOLE_SESSION_IDLE.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


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
    # A payment pays one order: the database refuses a second order on it, whatever the entry point.
    payment_intent_id: str = Field(unique=True, index=True, max_length=255)
    # The Stripe customer who paid, when the shop gives it: checked against the payment at registration.
    stripe_customer_id: str | None = Field(default=None, max_length=255)
    paid_at: datetime = Field(sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locale: str = Field(default="en", max_length=8)
    status: str = Field(default="paid", max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    # Who registered the order and who recorded its activation (NULL on rows older than revision 0014).
    registered_by_id: str | None = Field(default=None, max_length=64)
    registered_by_name: str | None = Field(default=None, max_length=120)
    activated_by_id: str | None = Field(default=None, max_length=64)
    activated_by_name: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerEvent(SQLModel, table=True):
    """One audited change to a customer or their orders (domain.orders.CustomerEventKind): append-only."""

    __tablename__ = "customer_events"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customers.customer_id", index=True, max_length=64)
    order_id: str | None = Field(default=None, index=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    actor_id: str = Field(max_length=64)
    actor_name: str = Field(max_length=120)
    note: str | None = Field(default=None, max_length=2000)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
