"""Settlements: finance follows issued refunds until the customer's bank shows them, and reconciles them with Stripe."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from api.deps import MAX_OFFSET, ActorDep, DatabaseDep, SessionDep, SettingsDep, TemporalDep, permits
from api.guarded_route import GuardedRoute
from api.params import RefundIdPath
from api.refund_schemas import NoteBody, RefundDetail
from api.refund_views import detail_from_state
from api.schemas import IsoDate
from domain.money import Currency, major_units
from domain.permissions import Action
from services import settlements
from services.errors import InvalidInput
from store.refund_tables import Refund
from store.settlements import SettlementFilter, SettlementState, Total, action_needed, is_overdue, state_of

router = APIRouter(tags=["settlements"], route_class=GuardedRoute)
CSV_COLUMNS = (
    "refund_id",
    "stripe_refund_id",
    "order_id",
    "customer_id",
    "amount",
    "amount_minor",
    "currency",
    "succeeded_at",
    "expected_from",
    "expected_by",
    "state",
    "settled_at",
    "needs_attention",
)


class SettlementRow(BaseModel):
    """An issued refund as finance follows it; `amount` is in major units (12.50), `amount_minor` in cents."""

    refund_id: str
    order_id: str
    customer_id: str
    amount_minor: int
    amount: str
    currency: str
    stripe_refund_id: str | None
    succeeded_at: datetime | None
    expected_from: date | None
    expected_by: date | None
    settled_at: datetime | None
    status: str
    state: SettlementState
    overdue: bool
    needs_attention: bool
    attention_reason: str | None
    failure_reason: str | None
    resolution: str | None
    action_needed: str | None


class CurrencyTotal(BaseModel):
    """How many matching refunds, and how much, in one currency."""

    currency: str
    count: int
    amount_minor: int
    amount: str


class ExpectedByTotal(BaseModel):
    """How many matching refunds, and how much, expected by one date in one currency (no date: never issued)."""

    expected_by: date | None
    currency: str
    count: int
    amount_minor: int
    amount: str


class SettlementPage(BaseModel):
    """A page of settlements with totals over every matching refund, not just this page."""

    items: list[SettlementRow]
    total: int
    limit: int
    offset: int
    today: date
    due_within_days: int
    totals_by_currency: list[CurrencyTotal]
    totals_by_expected_by: list[ExpectedByTotal]


def settlement_filter(
    state: Annotated[
        SettlementState | None,
        Query(description="pending, due, settled or failed; default: issued and not settled, plus late failures."),
    ] = None,
    currency: Annotated[Currency | None, Query(description="ISO 4217 code, any case.")] = None,
    expected_by_from: Annotated[
        IsoDate | None, Query(description="Expected on the statement by this date or later.")
    ] = None,
    expected_by_to: Annotated[
        IsoDate | None, Query(description="Expected on the statement by this date or earlier.")
    ] = None,
    due_within_days: Annotated[
        int, Query(ge=0, le=60, description="A window ending within this many days (or already ended) is due.")
    ] = 2,
    needs_attention: Annotated[
        bool | None, Query(description="true: only refunds a late Stripe failure flagged.")
    ] = None,
) -> SettlementFilter:
    """The list's filters, checked; 'today' is the UTC date."""
    if expected_by_from and expected_by_to and expected_by_from > expected_by_to:
        raise InvalidInput(
            f"expected_by_from ({expected_by_from}) is after expected_by_to ({expected_by_to}): nothing can match"
        )
    return SettlementFilter(
        today=datetime.now(UTC).date(),
        due_within_days=due_within_days,
        state=state,
        currency=currency,
        expected_by_from=expected_by_from,
        expected_by_to=expected_by_to,
        needs_attention=needs_attention,
    )


FilterDep = Annotated[SettlementFilter, Depends(settlement_filter)]


def _row(refund: Refund, spec: SettlementFilter) -> SettlementRow:
    """A refund as a settlement row."""
    return SettlementRow(
        refund_id=refund.refund_id,
        order_id=refund.order_id,
        customer_id=refund.customer_id,
        amount_minor=refund.amount_minor,
        amount=major_units(refund.amount_minor, refund.currency),
        currency=refund.currency,
        stripe_refund_id=refund.stripe_refund_id,
        succeeded_at=refund.succeeded_at,
        expected_from=refund.expected_from,
        expected_by=refund.expected_by,
        settled_at=refund.settled_at,
        status=refund.status,
        state=state_of(refund, spec.today, spec.due_within_days),
        overdue=is_overdue(refund, spec.today),
        needs_attention=refund.needs_attention,
        attention_reason=refund.attention_reason,
        failure_reason=refund.failure_reason,
        resolution=refund.resolution,
        action_needed=action_needed(refund),
    )


def _currency_total(total: Total) -> CurrencyTotal:
    """A currency total with its major-unit amount."""
    return CurrencyTotal(
        currency=total.currency,
        count=total.count,
        amount_minor=total.amount_minor,
        amount=major_units(total.amount_minor, total.currency),
    )


def _date_total(total: Total) -> ExpectedByTotal:
    """A per-date total with its major-unit amount."""
    return ExpectedByTotal(**_currency_total(total).model_dump(), expected_by=total.expected_by)


@router.get("/settlements", response_model=SettlementPage, dependencies=[permits(Action.READ_SETTLEMENTS)])
def list_settlements(
    session: SessionDep,
    spec: FilterDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SettlementPage:
    """Issued refunds, soonest expected first, with totals per currency and per expected-by date."""
    page = settlements.list_settlements(session, spec, limit=limit, offset=offset)
    return SettlementPage(
        items=[_row(refund, spec) for refund in page.rows],
        total=page.total,
        limit=limit,
        offset=offset,
        today=spec.today,
        due_within_days=spec.due_within_days,
        totals_by_currency=[_currency_total(t) for t in page.by_currency],
        totals_by_expected_by=[_date_total(t) for t in page.by_expected_by],
    )


@router.get(
    "/settlements.csv",
    response_class=Response,
    dependencies=[permits(Action.READ_SETTLEMENTS)],
    responses={200: {"content": {"text/csv": {}}, "description": "One line per refund, with a header line."}},
)
def export_settlements(
    session: SessionDep,
    spec: FilterDep,
    limit: Annotated[int | None, Query(ge=1, description="Default: every matching refund.")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """The same refunds as CSV, with the columns a Stripe payout report is reconciled on."""
    rows = settlements.list_settlements(session, spec, limit=limit, offset=offset, totals=False).rows
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for refund in rows:
        row = _row(refund, spec)
        writer.writerow(
            {
                "refund_id": row.refund_id,
                "stripe_refund_id": row.stripe_refund_id or "",
                "order_id": row.order_id,
                "customer_id": row.customer_id,
                "amount": row.amount,
                "amount_minor": row.amount_minor,
                "currency": row.currency,
                "succeeded_at": row.succeeded_at.isoformat() if row.succeeded_at else "",
                "expected_from": row.expected_from.isoformat() if row.expected_from else "",
                "expected_by": row.expected_by.isoformat() if row.expected_by else "",
                "state": row.state.value,
                "settled_at": row.settled_at.isoformat() if row.settled_at else "",
                "needs_attention": "yes" if row.needs_attention else "no",
            }
        )
    filename = f"settlements-{spec.today.isoformat()}{'-' + spec.state.value if spec.state else ''}.csv"
    return Response(
        content=buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/settlements/{refund_id}/confirm", response_model=RefundDetail, dependencies=[permits(Action.CONFIRM_SETTLEMENT)]
)
async def confirm(
    refund_id: RefundIdPath,
    body: NoteBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """The customer's bank shows the refund: settle it before its window ends (recorded in the refund's timeline)."""
    return detail_from_state(
        settings, *await settlements.confirm_settlement(database, client, refund_id, actor, body.note)
    )
