"""Refunds: the filtered list, one refund's page (followed live while it moves through Stripe) and its actions."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DatabaseDep, SessionDep, SettingsDep, TemporalDep
from api.params import RefundIdPath
from api.refund_views import decision_from_row, workflow_url
from console.deps import PostDep, UserDep
from console.forms import required_text, text
from console.pages.common import render, see_other
from console.routing import ConsoleRoute
from domain.money import SUPPORTED_CURRENCIES, major_units
from domain.permissions import Action
from domain.refunds import FailureAction, InvestigationFinding, RefundReason, RefundStatus, TroubleshootingOutcome
from services import refunds, settlements
from services.authorization import authorize
from services.console_sessions import SignedIn
from services.orders import read_order
from services.refund_emails import emails_of
from services.refund_offers import offers_for

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 25
# While the refund is with Stripe its page asks for news every few seconds.
MOVING = frozenset({RefundStatus.APPROVED.value, RefundStatus.REFUNDING.value})
Note = Annotated[str | None, Form(max_length=2000)]


def _choice(enum, value: str | None):
    """An enum member from a filter's value; empty or unknown means no filter."""
    try:
        return enum(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ListFilter:
    """The refunds list's filters as the query string gives them (unknown values mean no filter)."""

    status: str = ""
    reason: str = ""
    currency: str = ""
    q: str = ""
    mine: bool = False
    needs_attention: bool = False
    since: date | None = None
    until: date | None = None

    def query(self) -> str:
        """The filters as a query string, for the pages' links and the CSV export."""
        pairs = {"status": self.status, "reason": self.reason, "currency": self.currency, "q": self.q}
        pairs |= {"mine": "1" if self.mine else "", "needs_attention": "1" if self.needs_attention else ""}
        pairs |= {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def rows(self, session, actor, limit: int, offset: int = 0):
        """The matching refunds (a page of them) and how many match."""
        return refunds.list_refunds(
            session,
            status=_choice(RefundStatus, self.status),
            reason=_choice(RefundReason, self.reason),
            currency=self.currency or None,
            search=self.q or None,
            requested_by_person=actor.person if self.mine else None,
            needs_attention=True if self.needs_attention else None,
            requested_from=self.since,
            requested_to=self.until,
            limit=limit,
            offset=offset,
        )


def list_filter(
    status: Annotated[str | None, Query(max_length=30)] = None,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    currency: Annotated[str | None, Query(max_length=3)] = None,
    q: Annotated[str | None, Query(max_length=254)] = None,
    mine: bool = False,
    needs_attention: bool = False,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
) -> ListFilter:
    """The filters of the query string (an empty or unreadable date is no bound)."""
    known_currency = currency.lower() if currency and currency.lower() in SUPPORTED_CURRENCIES else ""
    return ListFilter(
        status or "", reason or "", known_currency, (q or "").strip(), mine, needs_attention, _day(since), _day(until)
    )


def _day(value: str | None) -> date | None:
    """A date field's value ('2026-12-03'), or None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


FilterDep = Annotated[ListFilter, Depends(list_filter)]


@router.get("/refunds", response_class=HTMLResponse)
def refund_list(
    request: Request,
    user: UserDep,
    session: SessionDep,
    filters: FilterDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Refunds newest first, filtered and searched, a page at a time."""
    authorize(user.actor, Action.READ_REFUNDS)
    rows, total = filters.rows(session, user.actor, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render(
        request,
        user,
        "refunds.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters=filters,
        query=filters.query(),
        statuses=list(RefundStatus),
        reasons=list(RefundReason),
        currencies=sorted(SUPPORTED_CURRENCIES),
    )


CSV_COLUMNS = (
    "refund_id",
    "order_id",
    "customer_id",
    "reason",
    "status",
    "amount",
    "currency",
    "requested_by",
    "requested_at",
    "stripe_refund_id",
    "expected_by",
    "settled_at",
    "needs_attention",
)
CSV_LIMIT = 100_000


@router.get("/refunds.csv")
def refund_csv(user: UserDep, session: SessionDep, filters: FilterDep) -> Response:
    """The filtered list as CSV, amounts in major units."""
    authorize(user.actor, Action.READ_REFUNDS)
    rows, _ = filters.rows(session, user.actor, CSV_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.refund_id,
                r.order_id,
                r.customer_id,
                r.reason,
                r.status,
                major_units(r.amount_minor, r.currency),
                r.currency.upper(),
                r.requested_by_name,
                r.requested_at.isoformat(),
                r.stripe_refund_id or "",
                r.expected_by.isoformat() if r.expected_by else "",
                r.settled_at.isoformat() if r.settled_at else "",
                "yes" if r.needs_attention else "",
            ]
        )
    headers = {"Content-Disposition": 'attachment; filename="refunds.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _detail_context(session, settings, user: SignedIn, refund_id: str) -> dict:
    """What the refund page shows: the refund, its order, its decision in words, its timeline, the offers."""
    row, events = refunds.read_refund(session, refund_id)
    return {
        "refund": row,
        "order": read_order(session, row.order_id),
        "decision": decision_from_row(row),
        "events": events,
        "offers": {offer.key: offer for offer in offers_for(row, user.actor)},
        "emails": emails_of(session, refund_id),
        "workflow_url": workflow_url(settings, row.workflow_id),
        "moving": row.status in MOVING,
        "outcomes": list(TroubleshootingOutcome),
        "findings": list(InvestigationFinding),
    }


@router.get("/refunds/{refund_id}", response_class=HTMLResponse)
def refund_page(
    request: Request, refund_id: RefundIdPath, user: UserDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """One refund: status, amount, decision, timeline, and the actions this person may take now."""
    authorize(user.actor, Action.READ_REFUNDS)
    return render(request, user, "refund.html", **_detail_context(session, settings, user, refund_id))


@router.get("/refunds/{refund_id}/live", response_class=HTMLResponse)
def refund_live(
    request: Request, refund_id: RefundIdPath, user: UserDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """The refund page's live part, which htmx asks for again while the refund moves through Stripe."""
    authorize(user.actor, Action.READ_REFUNDS)
    return render(request, user, "_refund_live.html", **_detail_context(session, settings, user, refund_id))


def _done(refund_id: str, key: str) -> Response:
    """Back to the refund page, saying what was recorded."""
    return see_other(f"/console/refunds/{refund_id}?done={key}")


@router.post("/refunds/{refund_id}/approve")
async def approve(
    refund_id: RefundIdPath, user: PostDep, database: DatabaseDep, client: TemporalDep, note: Note = None
) -> Response:
    """Approve with an optional note."""
    await refunds.approve(database, client, refund_id, authorize(user.actor, Action.DECIDE_REFUND), text(note, "note"))
    return _done(refund_id, "approve")


@router.post("/refunds/{refund_id}/reject")
async def reject(
    refund_id: RefundIdPath, user: PostDep, database: DatabaseDep, client: TemporalDep, note: Note = None
) -> Response:
    """Reject, saying why; the customer is told."""
    actor = authorize(user.actor, Action.DECIDE_REFUND)
    await refunds.reject(database, client, refund_id, actor, text(note, "note"))
    return _done(refund_id, "reject")


@router.post("/refunds/{refund_id}/cancel")
async def cancel(
    refund_id: RefundIdPath, user: PostDep, database: DatabaseDep, client: TemporalDep, note: Note = None
) -> Response:
    """Withdraw the request before Stripe is called."""
    await refunds.cancel(database, client, refund_id, authorize(user.actor, Action.CANCEL_REFUND), text(note, "note"))
    return _done(refund_id, "cancel")


@router.post("/refunds/{refund_id}/troubleshooting")
async def troubleshooting(
    refund_id: RefundIdPath,
    user: PostDep,
    database: DatabaseDep,
    client: TemporalDep,
    outcome: Annotated[TroubleshootingOutcome, Form()],
    note: Note = None,
) -> Response:
    """Record a troubleshooting step and its outcome."""
    actor = authorize(user.actor, Action.RECORD_TROUBLESHOOTING)
    await refunds.record_troubleshooting(database, client, refund_id, actor, required_text(note, "note"), outcome)
    return _done(refund_id, "troubleshooting")


@router.post("/refunds/{refund_id}/investigation")
async def investigation(
    refund_id: RefundIdPath,
    user: PostDep,
    database: DatabaseDep,
    client: TemporalDep,
    finding: Annotated[InvestigationFinding, Form()],
    note: Note = None,
) -> Response:
    """Record whether the unauthorized transaction is confirmed."""
    actor = authorize(user.actor, Action.RECORD_INVESTIGATION)
    await refunds.record_investigation(database, client, refund_id, actor, finding, text(note, "note"))
    return _done(refund_id, "investigation")


@router.post("/refunds/{refund_id}/resolve-failure")
async def resolve_failure(
    refund_id: RefundIdPath,
    user: PostDep,
    database: DatabaseDep,
    client: TemporalDep,
    action: Annotated[FailureAction, Form()],
    reference: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Retry through Stripe, or record a manual payout with its reference."""
    actor = authorize(user.actor, Action.RESOLVE_FAILURE)
    await refunds.resolve_failure(database, client, refund_id, actor, action, text(reference, "reference"))
    return _done(refund_id, "resolve-failure")


@router.post("/refunds/{refund_id}/confirm-settlement")
async def confirm_settlement(
    refund_id: RefundIdPath, user: PostDep, database: DatabaseDep, client: TemporalDep, note: Note = None
) -> Response:
    """Confirm the customer's bank shows the refund."""
    actor = authorize(user.actor, Action.CONFIRM_SETTLEMENT)
    await settlements.confirm_settlement(database, client, refund_id, actor, text(note, "note"))
    return _done(refund_id, "confirm-settlement")
