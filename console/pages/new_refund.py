"""New refund: find the order, read its card, pick the reason in the policy's words, preview the decision, submit."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import DatabaseDep, SessionDep, SettingsDep, TemporalDep
from api.refund_views import decision_from_assessment
from console.deps import PostDep, UserDep
from console.forms import amount, text
from console.pages.common import render, see_other
from console.routing import ConsoleRoute
from domain.permissions import Action
from domain.refunds import RefundReason
from domain.roles import Actor
from services import refunds
from services.authorization import authorize
from services.errors import InvalidInput, ServiceError
from services.order_cards import find_order_cards, reason_choices
from services.orders import read_order

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reason = Annotated[RefundReason, Form()]
OrderId = Annotated[str, Form(max_length=64)]
Amount = Annotated[str | None, Form(max_length=30)]
ContactedAt = Annotated[str | None, Form(max_length=30)]
LegalBasis = Annotated[str | None, Form(max_length=500)]
Note = Annotated[str | None, Form(max_length=2000)]


def parse_contacted_at(value: str | None) -> datetime | None:
    """The contact time typed in the form's date-time field, read as UTC; None: now."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError as error:
        raise InvalidInput(f"'{value}' is not a date and time; pick one in the calendar.") from error


def _body(currency: str, order_id: str, reason: RefundReason, amount_typed, contacted, legal_basis, note):
    """The same request body the API takes, built from the form (amounts typed in the order's currency)."""
    try:
        return refunds.RefundCreate(
            order_id=order_id,
            reason=reason,
            amount_minor=amount(amount_typed, currency),
            customer_contacted_at=parse_contacted_at(contacted),
            legal_basis=text(legal_basis, "legal basis"),
            note=text(note, "note"),
        )
    except ValidationError as invalid:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in invalid.errors()]
        raise InvalidInput("; ".join(lines)) from invalid


@router.get("/refunds/new", response_class=HTMLResponse)
def new_refund(
    request: Request,
    user: UserDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=254)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """Find the order; with one chosen, the request form and its live policy preview."""
    authorize(user.actor, Action.REQUEST_REFUND)
    search = order_id or q or ""
    cards = find_order_cards(session, search) if search else []
    chosen = next((card for card in cards if card.order.order_id == order_id), None) if order_id else None
    return render(
        request,
        user,
        "new_refund.html",
        q=q or "",
        cards=cards,
        chosen=chosen,
        reasons=reason_choices(),
        form_key=secrets.token_urlsafe(16),
    )


def _preview_sentence(session, settings, body, actor: Actor) -> tuple[str, str]:
    """('auto_approve', 'Approved automatically: ...') — or ('refused', the refusal's sentence)."""
    try:
        assessment = refunds.preview_refund(session, settings, body, actor)
    except ServiceError as refusal:
        return "refused", refusal.message
    summary = decision_from_assessment(assessment).summary
    # The preview's heading already says what happens ("Will be rejected."): keep only the reason after it.
    for opening in ("Approved automatically: ", "Waits for an approver: ", "Rejected: "):
        if summary.startswith(opening):
            summary = summary.removeprefix(opening)
            summary = summary[:1].upper() + summary[1:]
    return assessment.path.value, summary


@router.post("/refunds/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    user: PostDep,
    session: SessionDep,
    settings: SettingsDep,
    order_id: OrderId,
    reason: Annotated[str | None, Form(max_length=40)] = None,
    amount_typed: Annotated[str | None, Form(alias="amount", max_length=30)] = None,
    contacted_at: ContactedAt = None,
    legal_basis: LegalBasis = None,
    note: Note = None,
) -> HTMLResponse:
    """What the policy would decide on the form as it stands, by the same functions as the request itself."""
    actor = authorize(user.actor, Action.REQUEST_REFUND)
    if not reason:
        return render(request, user, "_preview.html", path="none", sentence="Pick a reason to see what will happen.")
    try:
        currency = read_order(session, order_id).currency
        body = _body(currency, order_id, RefundReason(reason), amount_typed, contacted_at, legal_basis, note)
        path, sentence = _preview_sentence(session, settings, body, actor)
    except (ServiceError, ValueError) as refusal:
        path, sentence = "refused", getattr(refusal, "message", str(refusal))
    return render(request, user, "_preview.html", path=path, sentence=sentence)


@router.post("/refunds/new")
async def submit(
    user: PostDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
    order_id: OrderId,
    reason: Reason,
    form_key: Annotated[str, Form(min_length=8, max_length=64)],
    amount_typed: Annotated[str | None, Form(alias="amount", max_length=30)] = None,
    contacted_at: ContactedAt = None,
    legal_basis: LegalBasis = None,
    note: Note = None,
) -> Response:
    """Request the refund; the form's key makes a double submission the same request, not a second refund."""
    actor = authorize(user.actor, Action.REQUEST_REFUND)
    # No request-scoped session here: its SQLite lock would wait on the request's own write (services/refunds.py).
    order = await database.atransact(lambda session: read_order(session, order_id))
    body = _body(order.currency, order_id, reason, amount_typed, contacted_at, legal_basis, note)
    prepared = await refunds.request_refund(database, settings, client, body, actor, f"console-{form_key}")
    return see_other(f"/console/refunds/{prepared.row.refund_id}?done=requested")
