"""The emails a refund sent (or is sending) to the customer, as the outbox holds them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.errors import use_case
from store.refund_tables import OutboxMessage


@use_case
def emails_of(session: Session, refund_id: str) -> list[OutboxMessage]:
    """The refund's customer emails, oldest first, with when each was sent or given up."""
    query = select(OutboxMessage).where(OutboxMessage.refund_id == refund_id).order_by(col(OutboxMessage.id))
    return list(session.exec(query))
