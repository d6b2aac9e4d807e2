"""The shop relay's reads and writes on the deliveries table: lease due deliveries, record each attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.leases import NO_SYNC, LeasedTable
from store.shop_event_tables import ShopDelivery, ShopEndpoint

DELIVERIES = LeasedTable(ShopDelivery, done=ShopDelivery.delivered_at, given_up=ShopDelivery.given_up_at)


def claim_due(
    session: Session, token: str, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[ShopDelivery, ShopEndpoint]]:
    """Lease up to `limit` due deliveries to `token` (never the same to two relays), each with its endpoint."""
    DELIVERIES.claim(session, token, now, lease_until, limit)
    claimed = (
        select(ShopDelivery, ShopEndpoint)
        .join(ShopEndpoint, col(ShopEndpoint.endpoint_id) == col(ShopDelivery.endpoint_id))
        .where(col(ShopDelivery.claimed_by) == token)
        .order_by(*DELIVERIES.oldest_first())
    )
    return [(delivery, endpoint) for delivery, endpoint in session.exec(claimed)]


def mark_delivered(session: Session, delivery_id: int, token: str, status_code: int, now: datetime) -> bool:
    """Record the endpoint's 2xx; False when our lease had been taken over meanwhile (it may be sent twice)."""
    holder = DELIVERIES.holder(session, delivery_id)
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
        execution_options=NO_SYNC,
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
        execution_options=NO_SYNC,
    )


def release(session: Session, delivery_ids: list[int], token: str) -> None:
    """Hand unattempted deliveries back at once (shutdown, lease running short)."""
    DELIVERIES.release(session, delivery_ids, token)
