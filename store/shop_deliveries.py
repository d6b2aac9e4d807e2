"""The shop relay's reads and writes on the deliveries table: lease due deliveries, record each attempt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.shop_event_tables import ShopDelivery, ShopEndpoint

# Bulk updates on rows this session never loaded: nothing in memory to keep in sync.
_NO_SYNC = {"synchronize_session": False}


def _due(now: datetime) -> tuple:
    """Not delivered, not given up, due, and not leased by a live relay."""
    return (
        col(ShopDelivery.delivered_at).is_(None),
        col(ShopDelivery.given_up_at).is_(None),
        col(ShopDelivery.next_attempt_at) <= now,
        or_(col(ShopDelivery.claimed_until).is_(None), col(ShopDelivery.claimed_until) < now),
    )


def claim_due(
    session: Session, token: str, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[ShopDelivery, ShopEndpoint]]:
    """Lease up to `limit` due deliveries to `token` (never the same to two relays), each with its endpoint."""
    oldest_due = (
        select(ShopDelivery.id)
        .where(*_due(now))
        .order_by(col(ShopDelivery.next_attempt_at), col(ShopDelivery.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # As in notifications/outbox.py: SKIP LOCKED in a statement of its own, so relays take disjoint rows.
        ids: Sequence[int | None] | SelectOfScalar[int] | SelectOfScalar[None] = session.exec(
            oldest_due.with_for_update(skip_locked=True)
        ).all()
    else:
        # SQLite serialises writers: one UPDATE with the subquery inside claims rows nobody else can take meanwhile.
        ids = oldest_due
    session.exec(
        update(ShopDelivery)
        .where(col(ShopDelivery.id).in_(ids), *_due(now))
        .values(claimed_by=token, claimed_until=lease_until),
        execution_options=_NO_SYNC,
    )
    claimed = (
        select(ShopDelivery, ShopEndpoint)
        .join(ShopEndpoint, col(ShopEndpoint.endpoint_id) == col(ShopDelivery.endpoint_id))
        .where(col(ShopDelivery.claimed_by) == token)
        .order_by(col(ShopDelivery.next_attempt_at), col(ShopDelivery.id))
    )
    return [(delivery, endpoint) for delivery, endpoint in session.exec(claimed)]


def mark_delivered(session: Session, delivery_id: int, token: str, status_code: int, now: datetime) -> bool:
    """Record the endpoint's 2xx; False when our lease had been taken over meanwhile (it may be sent twice)."""
    holder = session.exec(select(ShopDelivery.claimed_by).where(ShopDelivery.id == delivery_id)).one()
    session.exec(
        update(ShopDelivery)
        .where(col(ShopDelivery.id) == delivery_id, col(ShopDelivery.delivered_at).is_(None))
        .values(
            delivered_at=now,
            attempts=ShopDelivery.attempts + 1,
            last_attempt_at=now,
            last_status_code=status_code,
            last_error=None,
            claimed_by=None,
            claimed_until=None,
        ),
        execution_options=_NO_SYNC,
    )
    return holder == token


def mark_failed(
    session: Session,
    delivery_id: int,
    token: str,
    now: datetime,
    status_code: int | None,
    error: str,
    *,
    retry_at: datetime | None,
) -> None:
    """Count a failed attempt: try again at `retry_at`, or give up for good when it is None."""
    outcome = {"next_attempt_at": retry_at} if retry_at is not None else {"given_up_at": now}
    session.exec(
        update(ShopDelivery)
        .where(
            col(ShopDelivery.id) == delivery_id,
            col(ShopDelivery.claimed_by) == token,
            col(ShopDelivery.delivered_at).is_(None),
        )
        .values(
            attempts=ShopDelivery.attempts + 1,
            last_attempt_at=now,
            last_status_code=status_code,
            last_error=error[:1000],
            claimed_by=None,
            claimed_until=None,
            **outcome,
        ),
        execution_options=_NO_SYNC,
    )


def release(session: Session, delivery_ids: list[int], token: str) -> None:
    """Hand unattempted deliveries back at once (shutdown, lease running short)."""
    if delivery_ids:
        session.exec(
            update(ShopDelivery)
            .where(col(ShopDelivery.id).in_(delivery_ids), col(ShopDelivery.claimed_by) == token)
            .values(claimed_by=None, claimed_until=None),
            execution_options=_NO_SYNC,
        )
