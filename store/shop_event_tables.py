"""Tables of outgoing events to the shop: the endpoints an admin registered and the outbox of deliveries to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


class ShopEndpoint(SQLModel, table=True):
    """A URL of the shop that receives our events, signed with its own secret (Standard Webhooks)."""

    __tablename__ = "shop_endpoints"

    endpoint_id: str = Field(primary_key=True, max_length=64)
    url: str = Field(max_length=2000, unique=True)
    # `whsec_<base64>`: needed in clear to sign each delivery; the API shows it once, at registration.
    secret: str = Field(max_length=200)
    # The event types it wants; NULL means every type, including those added later.
    event_types: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    description: str | None = Field(default=None, max_length=500)
    active: bool = True
    created_by_id: str = Field(max_length=64)
    created_by_name: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShopDelivery(SQLModel, table=True):
    """One event for one endpoint, written in the same transaction as the change; the relay delivers it."""

    __tablename__ = "shop_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_id", name="uq_shop_deliveries_endpoint_event"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: str = Field(foreign_key="shop_endpoints.endpoint_id", index=True, max_length=64)
    # Derived from the change itself (domain.shop_events.event_id): sent as `webhook-id` on every attempt.
    event_id: str = Field(max_length=64, index=True)
    event_type: str = Field(max_length=60)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Retried until this span after creation (or the last replay) runs out; then given up and shown to admins.
    given_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replayed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The relay's lease while it sends: another relay takes the delivery only once the lease lapses.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
