"""Finance's view of issued refunds: which are waiting out their window, due, settled or failed, and their sums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import Session, col, select

from domain.failure_advice import failure_advice
from domain.refunds import RefundStatus
from store.refund_tables import Refund

SETTLING = RefundStatus.SETTLING.value
SETTLED = RefundStatus.SETTLED.value
FAILED = RefundStatus.FAILED.value

LATE_FAILURE_ACTION = (
    "Stripe reported a failure after this refund was settled: check whether the customer received the money "
    "and, if not, pay it out by hand; the refund's workflow has ended, so no retry happens on its own."
)


class SettlementState(StrEnum):
    """Where an issued refund stands for finance."""

    PENDING = "pending"  # waiting out the bank's window, which does not end within the due horizon
    DUE = "due"  # the window ends within the due horizon, or has ended (overdue)
    SETTLED = "settled"
    FAILED = "failed"


@dataclass(frozen=True)
class SettlementFilter:
    """What finance asked to see; `today` and `due_within_days` decide pending versus due."""

    today: date
    due_within_days: int = 2
    state: SettlementState | None = None
    currency: str | None = None
    expected_by_from: date | None = None
    expected_by_to: date | None = None
    needs_attention: bool | None = None

    @property
    def due_cutoff(self) -> date:
        """The last expected-by date that counts as due."""
        return self.today + timedelta(days=self.due_within_days)


@dataclass(frozen=True)
class Total:
    """A count and sum of refunds in one currency (and on one expected-by date when grouped by date)."""

    currency: str
    count: int
    amount_minor: int
    expected_by: date | None = None


def state_of(refund: Refund, today: date, due_within_days: int) -> SettlementState:
    """The settlement state of one row (the SQL in `_state_clause` must agree)."""
    if refund.status == SETTLED:
        return SettlementState.SETTLED
    if refund.status == FAILED:
        return SettlementState.FAILED
    cutoff = today + timedelta(days=due_within_days)
    return (
        SettlementState.DUE if refund.expected_by is None or refund.expected_by <= cutoff else SettlementState.PENDING
    )


def is_overdue(refund: Refund, today: date) -> bool:
    """A settling refund whose window has ended before today."""
    return refund.status == SETTLING and refund.expected_by is not None and refund.expected_by < today


def action_needed(refund: Refund) -> str | None:
    """What finance must do about this row, if anything."""
    if refund.status == FAILED:
        return failure_advice(refund.refund_id, refund.failure_reason)
    if refund.needs_attention:
        return LATE_FAILURE_ACTION
    return None


def _state_clause(state: SettlementState, cutoff: date) -> ColumnElement[bool]:
    """SQL for one settlement state."""
    expected_by = col(Refund.expected_by)
    if state is SettlementState.SETTLED:
        return col(Refund.status) == SETTLED
    if state is SettlementState.FAILED:
        return col(Refund.status) == FAILED
    if state is SettlementState.DUE:
        return and_(col(Refund.status) == SETTLING, or_(expected_by.is_(None), expected_by <= cutoff))
    return and_(col(Refund.status) == SETTLING, expected_by > cutoff)


def _conditions(spec: SettlementFilter) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filter."""
    if spec.state is not None:
        conditions = [_state_clause(spec.state, spec.due_cutoff)]
    else:
        # Issued and not yet settled, plus any settled refund a late failure put back in front of finance.
        conditions = [
            or_(
                col(Refund.status).in_([SETTLING, FAILED]),
                and_(col(Refund.status) == SETTLED, col(Refund.needs_attention)),
            )
        ]
    if spec.currency:
        conditions.append(col(Refund.currency) == spec.currency.lower())
    if spec.expected_by_from:
        conditions.append(col(Refund.expected_by) >= spec.expected_by_from)
    if spec.expected_by_to:
        conditions.append(col(Refund.expected_by) <= spec.expected_by_to)
    if spec.needs_attention is True:
        conditions.append(col(Refund.needs_attention).is_(True))
    elif spec.needs_attention is False:
        conditions.append(col(Refund.needs_attention) == false())
    return conditions


def settlement_rows(
    session: Session, spec: SettlementFilter, *, limit: int | None = None, offset: int = 0
) -> tuple[list[Refund], int]:
    """One page of matching refunds, soonest expected first (undated last), and how many match in all."""
    conditions = _conditions(spec)
    total = session.exec(select(func.count()).select_from(Refund).where(*conditions)).one()
    query = (
        select(Refund)
        .where(*conditions)
        .order_by(
            col(Refund.expected_by).is_(None), col(Refund.expected_by), col(Refund.succeeded_at), col(Refund.refund_id)
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query)), int(total)


def totals_by_currency(session: Session, spec: SettlementFilter) -> list[Total]:
    """Count and sum per currency of every matching refund (all pages)."""
    query = (
        select(Refund.currency, func.count(), func.sum(Refund.amount_minor))
        .where(*_conditions(spec))
        .group_by(Refund.currency)
        .order_by(Refund.currency)
    )
    return [
        Total(currency=currency, count=count, amount_minor=int(amount))
        for currency, count, amount in session.exec(query)
    ]


def totals_by_expected_by(session: Session, spec: SettlementFilter) -> list[Total]:
    """Count and sum per (expected-by date, currency) of every matching refund, undated last."""
    expected_by = col(Refund.expected_by)
    query = (
        select(expected_by, Refund.currency, func.count(), func.sum(Refund.amount_minor))
        .where(*_conditions(spec))
        .group_by(expected_by, Refund.currency)
        .order_by(expected_by.is_(None), expected_by, Refund.currency)
    )
    return [
        Total(expected_by=day, currency=currency, count=count, amount_minor=int(amount))
        for day, currency, count, amount in session.exec(query)
    ]
