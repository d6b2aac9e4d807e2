"""The relay's reads and writes on the outbox table: claim due messages under a lease, record each outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from store.refund_tables import OutboxMessage

# Bulk updates on rows this session never loaded: nothing in memory to keep in sync.
_NO_SYNC = {"synchronize_session": False}


def _due(now: datetime) -> tuple:
    """Unsent, not given up, due, and not leased by a live relay."""
    return (
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.failed_at).is_(None),
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
    )


def claim_due(session: Session, token: str, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to `token`; concurrent relays never get the same message."""
    oldest_due = (
        select(OutboxMessage.id)
        .where(*_due(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED lets relays pick disjoint rows side by side instead of queueing on each other's.
        # A statement of its own: as an IN (...) subquery of the UPDATE, PostgreSQL may re-run it and
        # claim far more than `limit` rows (the concurrency test caught exactly that).
        ids: Sequence[int | None] | SelectOfScalar[int] | SelectOfScalar[None] = session.exec(
            oldest_due.with_for_update(skip_locked=True)
        ).all()
    else:
        # SQLite: one UPDATE with the subquery inside runs under the single write lock, so the first
        # claimer takes its rows and the next one, serialised behind it, finds the following ones.
        ids = oldest_due
    session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), *_due(now))
        .values(claimed_by=token, claimed_until=lease_until),
        execution_options=_NO_SYNC,
    )
    claimed = (
        select(OutboxMessage)
        .where(col(OutboxMessage.claimed_by) == token)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
    )
    return list(session.exec(claimed))


def mark_sent(session: Session, message_id: int, token: str, now: datetime) -> bool:
    """Record that the SMTP server accepted the message; False when our lease had been taken over meanwhile."""
    holder = session.exec(select(OutboxMessage.claimed_by).where(OutboxMessage.id == message_id)).one()
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
        execution_options=_NO_SYNC,
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
    if message_ids:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(message_ids), col(OutboxMessage.claimed_by) == token)
            .values(claimed_by=None, claimed_until=None),
            execution_options=_NO_SYNC,
        )


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
        execution_options=_NO_SYNC,
    )
