"""GET/POST /request-refund: the public form where a customer asks for a refund; one answer whatever they typed."""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.auth import client_address
from api.deps import DatabaseDep, SettingsDep, TemporalDep
from customer_pages.form_words import CLAUSE_OF, COVERED, HINT, NOT_COVERED, TEXT, label
from customer_pages.rendering import CSRF_COOKIE, CustomerRoute, browser_language, csrf_matches, csrf_token
from customer_pages.rendering import templates as page_templates
from domain.refunds import RefundReason
from notifications.wording import pick_locale
from services.customer_requests import FormRequest, request_from_form
from services.errors import InvalidInput

router = APIRouter(route_class=CustomerRoute, include_in_schema=False)
PATH = "/request-refund"
OrderId = Annotated[str, Form(min_length=1, max_length=64)]
Email = Annotated[str, Form(min_length=3, max_length=254)]
Description = Annotated[str, Form(min_length=1, max_length=1800)]
Token = Annotated[str, Form(alias="csrf_token")]
Lang = Annotated[str, Form(max_length=8)]


class FormThrottle:
    """Requests per client address and per order id in moving windows (in memory, per API process)."""

    def __init__(self, per_client: str, per_order: str) -> None:
        self._client, self._order = parse(per_client), parse(per_order)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, client: str, order_id: str) -> int | None:
        """Seconds to wait when either limit is reached; otherwise counts this request and answers None."""
        checks = ((self._client, "client", client), (self._order, "order", order_id.strip().lower()))
        for item, *keys in checks:
            if not self._limiter.test(item, *keys):
                reset_at, _remaining = self._limiter.get_window_stats(item, *keys)
                return max(1, math.ceil(reset_at - time.time()))
        for item, *keys in checks:
            self._limiter.hit(item, *keys)
        return None


def _language(request: Request, chosen: str | None) -> str:
    """?lang=fr (or the form's field), else the browser's first language we have words in."""
    return pick_locale(chosen) if chosen else browser_language(request)


def _form(request: Request, language: str, status_code: int = 200, **context) -> Response:
    """The form page (or its thank-you) in `language`, with a double-submit token."""
    csrf = csrf_token(request)
    context |= {
        "lang": language,
        "t": TEXT[language],
        "covered": [(reason, label(reason, language), HINT[language][reason]) for reason in COVERED],
        "not_covered": [(reason, label(reason, language), CLAUSE_OF[reason]) for reason in NOT_COVERED],
        "csrf": csrf,
        "action": PATH,
    }
    response = page_templates.TemplateResponse(request, "request_form.html", context, status_code=status_code)
    secure = request.app.state.settings.console_cookie_secure
    response.set_cookie(CSRF_COOKIE, csrf, path=PATH, httponly=True, samesite="strict", secure=secure)
    return response


@router.get(PATH)
def request_form(request: Request, lang: str | None = None) -> Response:
    """The form: order, email, what happened (covered cases, then not-covered ones explained), description."""
    return _form(request, _language(request, lang))


@router.post(PATH)
async def send_request(
    request: Request,
    order_id: OrderId,
    email: Email,
    reason: Annotated[RefundReason, Form()],
    description: Description,
    form_token: Token,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
    lang: Lang = "",
) -> Response:
    """Record the contact and open the refund if order and email match; the same thank-you either way."""
    language = _language(request, lang)
    if not csrf_matches(request, form_token):
        raise InvalidInput(TEXT[language]["reload"])
    throttle: FormThrottle = request.app.state.request_form_throttle
    wait = throttle.retry_after(client_address(request), order_id)
    if wait is not None:
        response = _form(request, language, 429, refused=TEXT[language]["limited"])
        response.headers["Retry-After"] = str(wait)
        return response
    typed = FormRequest(order_id.strip(), email.strip(), reason, description.replace("\r\n", "\n").strip())
    await request_from_form(database, settings, client, typed)
    return _form(request, language, sent=True)
