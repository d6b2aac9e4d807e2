"""The relay's reads and writes on the outbox table: claim due messages under a lease, record each outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.leases import NO_SYNC, LeasedTable
from store.refund_tables import OutboxMessage

OUTBOX = LeasedTable(OutboxMessage, done=OutboxMessage.sent_at, given_up=OutboxMessage.failed_at)


def claim_due(session: Session, token: str, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to `token`; concurrent relays never get the same message."""
    OUTBOX.claim(session, token, now, lease_until, limit)
    claimed = select(OutboxMessage).where(col(OutboxMessage.claimed_by) == token).order_by(*OUTBOX.oldest_first())
    return list(session.exec(claimed))


def mark_sent(session: Session, message_id: int, token: str, now: datetime) -> bool:
    """Record that the SMTP server accepted the message; False when our lease had been taken over meanwhile."""
    holder = OUTBOX.holder(session, message_id)
    session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.sent_at).is_(None))
        .values(
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
            last_error=None,
            claimed_by=None,
            claimed_until=None,
        ),
        execution_options=NO_SYNC,
    )
    return holder == token


def mark_retry(session: Session, message_id: int, token: str, error: str, retry_at: datetime) -> None:
    """Count a failed attempt and schedule the next one."""
    _finish(session, message_id, token, last_error=error[:1000], next_attempt_at=retry_at)


def mark_given_up(session: Session, message_id: int, token: str, error: str, now: datetime) -> None:
    """Count the attempt and stop trying: a permanent refusal, or too many transient ones."""
    _finish(session, message_id, token, last_error=error[:1000], failed_at=now)


def release(session: Session, message_ids: list[int], token: str) -> None:
    """Hand unattempted messages back at once (shutdown, lease running short, connection lost)."""
    OUTBOX.release(session, message_ids, token)


def _finish(session: Session, message_id: int, token: str, **values) -> None:
    """Apply an attempt's outcome if we still hold the lease (otherwise another relay owns the message)."""
    session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.claimed_by) == token,
            col(OutboxMessage.sent_at).is_(None),
        )
        .values(attempts=OutboxMessage.attempts + 1, claimed_by=None, claimed_until=None, **values),
        execution_options=NO_SYNC,
    )
