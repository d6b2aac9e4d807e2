"""GET /my-refund/{token}: the customer's refund page; POST .../message and .../received, its two actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import DatabaseDep, SettingsDep, TemporalDep
from customer_pages.links import PAGE_PATH, BadLink, ExpiredLink, refund_of
from customer_pages.rendering import (
    COOKIE_PATH,
    CSRF_COOKIE,
    CustomerRoute,
    browser_language,
    csrf_matches,
    csrf_token,
    gone,
    page,
)
from customer_pages.words import STATUS, TEXT, amount, day, reason, statement_window, steps
from notifications.wording import pick_locale
from services import customer_pages
from services.errors import InvalidInput
from store.tables import Order

router = APIRouter(prefix=PAGE_PATH.rstrip("/"), route_class=CustomerRoute, include_in_schema=False)
DONE = {"message": "message_done", "received": "received_done"}
Message = Annotated[str, Form(min_length=1, max_length=1800)]
Token = Annotated[str, Form(alias="csrf_token")]


class LinkRefused(Exception):
    """The link in the address opens no page; carries the page that says so."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _refund_id(request: Request, settings: SettingsDep, token: str) -> str:
    """The refund the link names, or the friendly 404 / 410 page."""
    language = browser_language(request)
    try:
        return refund_of(settings.link_key(), token, settings.customer_link_validity)
    except ExpiredLink:
        raise LinkRefused(gone(request, 410, TEXT[language]["gone_expired"], language)) from None
    except BadLink:
        raise LinkRefused(gone(request, 404, TEXT[language]["gone_bad"], language)) from None


def _language(order: Order | None) -> str:
    """The order's language, as its emails use it."""
    return pick_locale(order.locale if order else None)


def _check_post(request: Request, submitted: str) -> None:
    """Refuse a POST whose form token is not its cookie's."""
    if not csrf_matches(request, submitted):
        raise InvalidInput(TEXT[browser_language(request)]["reload"])


@router.get("/{token}")
async def refund_page(request: Request, token: str, database: DatabaseDep, settings: SettingsDep) -> Response:
    """Where the refund stands, in the order's language; the visit is a contact (once a day)."""
    try:
        refund_id = _refund_id(request, settings, token)
    except LinkRefused as refused:
        return refused.response
    view = await database.atransact(lambda session: customer_pages.open_page(session, refund_id))
    language = _language(view.order)
    refund = view.refund
    csrf = csrf_token(request)
    done = DONE.get(request.query_params.get("done", ""))
    response = page(
        request,
        "refund.html",
        language,
        page=view,
        refund=refund,
        base=PAGE_PATH + token,
        csrf=csrf,
        done=TEXT[language][done] if done else None,
        requested_on=day(refund.requested_at.date(), language),
        status_words=STATUS[language][view.status],
        amount=amount(refund, language),
        reason=reason(refund, language),
        steps=steps(view.events, language),
        clause=refund.decision_clause,
        window=statement_window(refund, language),
    )
    secure = settings.console_cookie_secure
    response.set_cookie(CSRF_COOKIE, csrf, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure)
    return response


@router.post("/{token}/message")
async def send_message(
    request: Request, token: str, message: Message, form_token: Token, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """Keep the customer's message as a contact with support; back to the page with a thank-you."""
    try:
        refund_id = _refund_id(request, settings, token)
    except LinkRefused as refused:
        return refused.response
    _check_post(request, form_token)
    cleaned = message.replace("\r\n", "\n").strip()
    if not cleaned:
        raise InvalidInput("The message is empty.")
    await database.atransact(lambda session: customer_pages.send_message(session, refund_id, cleaned))
    return RedirectResponse(f"{PAGE_PATH}{token}?done=message", status_code=303)


@router.post("/{token}/received")
async def confirm_received(
    request: Request, token: str, form_token: Token, database: DatabaseDep, settings: SettingsDep, client: TemporalDep
) -> Response:
    """The customer says the money arrived: the refund settles early, with them as who confirmed."""
    try:
        refund_id = _refund_id(request, settings, token)
    except LinkRefused as refused:
        return refused.response
    _check_post(request, form_token)
    await customer_pages.confirm_received(database, client, refund_id)
    return RedirectResponse(f"{PAGE_PATH}{token}?done=received", status_code=303)
