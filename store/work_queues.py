"""The read model's queues of work for the console's landing page: what waits for whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from domain.refunds import RefundReason, RefundStatus
from store.refund_tables import Refund
from store.tables import StaffMember


def _newest(query, limit: int):
    """Newest requests first, at most `limit`."""
    return query.order_by(col(Refund.requested_at).desc(), col(Refund.refund_id)).limit(limit)


def queue(session: Session, *conditions: ColumnElement[bool], limit: int = 10) -> tuple[Sequence[Refund], int]:
    """Refunds matching every condition, newest first, and how many match in all."""
    query = select(Refund).where(*conditions)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return session.exec(_newest(query, limit)).all(), int(total)


def with_status(status: RefundStatus) -> ColumnElement[bool]:
    """Refunds in this status."""
    return col(Refund.status) == status.value


def with_reason(reason: RefundReason) -> ColumnElement[bool]:
    """Refunds asked for this reason."""
    return col(Refund.reason) == reason.value


def staff_ids_of(person_id: str):
    """The staff ids of one person's records, as a subquery."""
    return select(StaffMember.staff_id).where(StaffMember.person_id == person_id)


def requested_by_other_person(person_id: str) -> ColumnElement[bool]:
    """Refunds whose requester's staff record belongs to someone else than this person."""
    return col(Refund.requested_by_id).not_in(staff_ids_of(person_id))


def requested_by_person(person_id: str) -> ColumnElement[bool]:
    """Refunds requested through any staff record of this person."""
    return col(Refund.requested_by_id).in_(staff_ids_of(person_id))


def escalated() -> ColumnElement[bool]:
    """Approvals left undecided past their reminder."""
    return col(Refund.escalated).is_(True)


def needs_attention() -> ColumnElement[bool]:
    """Refunds something arrived for after their workflow ended."""
    return col(Refund.needs_attention).is_(True)


def settlement_due(today: date) -> ColumnElement[bool]:
    """Settling refunds whose bank window ends by today."""
    return (col(Refund.status) == RefundStatus.SETTLING.value) & or_(
        col(Refund.expected_by).is_(None), col(Refund.expected_by) <= today
    )
