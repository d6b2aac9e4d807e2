"""Order use cases: the shop registers paid orders and their activation; staff read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from domain.roles import Actor
from services.errors import use_case
from services.time_bounds import check_activated_at, check_paid_at
from store import orders
from store.tables import Order
from store.types import utcnow


@use_case
def register_order(session: Session, fields: dict[str, Any], actor: Actor) -> tuple[Order, bool]:
    """Record a paid order (and its customer) as registered by `actor`; answers it and whether it was new (a repeat
    is harmless). A customer's email is the first one given; an order giving another is recorded, never applied."""
    now = utcnow()
    check_paid_at(fields["paid_at"], now)
    if fields.get("activated_at") is not None:
        check_activated_at(fields["activated_at"], now)
    return orders.register_order(session, fields, actor)


@use_case
def record_activation(session: Session, order_id: str, activated_at: datetime | None, actor: Actor) -> Order:
    """Record that the activation details were created and sent (default now): the service counts as used."""
    now = utcnow()
    if activated_at is not None:
        check_activated_at(activated_at, now)
    return orders.record_activation(session, order_id, activated_at or now, actor)


@use_case
def read_order(session: Session, order_id: str) -> Order:
    """One order with its status."""
    return orders.get_order(session, order_id)
