"""Leased delivery rows (customer emails, shop events): relays claim due rows under a lease, never the same twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

# Bulk updates on rows this session never loaded: nothing in memory to keep in sync.
NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class LeasedTable:
    """A table of deliveries with `id`, `next_attempt_at`, `claimed_by`, `claimed_until` and two end columns."""

    model: Any
    done: Any  # set once delivered (sent_at, delivered_at)
    given_up: Any  # set once abandoned (failed_at, given_up_at)

    def due(self, now: datetime) -> tuple:
        """Not delivered, not given up, due, and not leased by a live relay."""
        claimed_until = col(self.model.claimed_until)
        return (
            col(self.done).is_(None),
            col(self.given_up).is_(None),
            col(self.model.next_attempt_at) <= now,
            or_(claimed_until.is_(None), claimed_until < now),
        )

    def oldest_first(self) -> tuple:
        """The order relays take rows in."""
        return col(self.model.next_attempt_at), col(self.model.id)

    def claim(self, session: Session, token: str, now: datetime, lease_until: datetime, limit: int) -> None:
        """Lease up to `limit` due rows to `token`; concurrent relays never get the same row."""
        oldest_due = select(self.model.id).where(*self.due(now)).order_by(*self.oldest_first()).limit(limit)
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
            update(self.model)
            .where(col(self.model.id).in_(ids), *self.due(now))
            .values(claimed_by=token, claimed_until=lease_until),
            execution_options=NO_SYNC,
        )

    def holder(self, session: Session, row_id: int) -> str | None:
        """Who leases the row now."""
        holder: str | None = session.exec(select(self.model.claimed_by).where(self.model.id == row_id)).one()
        return holder

    def release(self, session: Session, row_ids: list[int], token: str) -> None:
        """Hand unattempted rows back at once (shutdown, lease running short, connection lost)."""
        if row_ids:
            session.exec(
                update(self.model)
                .where(col(self.model.id).in_(row_ids), col(self.model.claimed_by) == token)
                .values(claimed_by=None, claimed_until=None),
                execution_options=NO_SYNC,
            )
