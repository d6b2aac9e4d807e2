"""The append-only trail of changes to customers and their orders: who did what, when and why."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from domain.orders import CustomerEventKind
from domain.roles import Actor
from store.tables import CustomerEvent
from store.types import utcnow


def record_event(
    session: Session,
    customer_id: str,
    kind: CustomerEventKind,
    actor: Actor,
    *,
    order_id: str | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> CustomerEvent:
    """Append one entry; nothing ever changes or removes it (the database refuses, see store/append_only.py)."""
    event = CustomerEvent(
        customer_id=customer_id,
        order_id=order_id,
        at=utcnow(),
        kind=kind.value,
        actor_id=actor.actor_id,
        actor_name=actor.name,
        note=note,
        detail=detail or {},
    )
    session.add(event)
    return event


def events_of_customer(session: Session, customer_id: str) -> list[CustomerEvent]:
    """A customer's trail, oldest first."""
    return list(
        session.exec(
            select(CustomerEvent)
            .where(CustomerEvent.customer_id == customer_id)
            .order_by(col(CustomerEvent.at), col(CustomerEvent.id))
        )
    )
