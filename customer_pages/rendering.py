"""The customer pages' templates, their language, and the route class that answers refusals as pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.errors import status_of
from customer_pages.words import TEXT
from notifications.wording import pick_locale
from services.errors import ServiceError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
CSRF_COOKIE = "refund_page_csrf"
COOKIE_PATH = "/my-refund"
# Anyone may post these forms: a message and a request are a few KiB, so more is refused before it is read.
MAX_FORM_BYTES = 16 * 1024


def browser_language(request: Request) -> str:
    """The first language the browser asks for that we have words in (for pages before we know the order)."""
    first = request.headers.get("accept-language", "").split(",", 1)[0]
    return pick_locale(first.split(";", 1)[0])


def page(request: Request, name: str, language: str, status_code: int = 200, **context: Any) -> Response:
    """A customer page in `language`."""
    context |= {"lang": language, "t": TEXT[language]}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def gone(
    request: Request, status_code: int, message: str, language: str | None = None, title: str = "gone_title"
) -> Response:
    """The friendly page for a link that opens nothing (bad 404, expired 410) or, titled "Not done", a refusal."""
    language = language or browser_language(request)
    return page(request, "gone.html", language, status_code, message=message, title=TEXT[language][title])


def csrf_token(request: Request) -> str:
    """The double-submit token: the cookie's value if the browser has one, else a new one."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def csrf_matches(request: Request, submitted: str | None) -> bool:
    """A POST carries the same token in its form as in its cookie (another site can set neither)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and submitted and secrets.compare_digest(cookie, submitted))


def _too_large(request: Request) -> Response | None:
    """413 for a POST larger than any of these forms (or not saying its size), before its body is read."""
    if request.method != "POST":
        return None
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= MAX_FORM_BYTES:
        return None
    language = browser_language(request)
    message = f"{TEXT[language]['refused']} {TEXT[language]['too_large']}"
    return gone(request, 413, message, language, title="refused_title")


class CustomerRoute(APIRoute):
    """Customer pages: no framing, no caching, no referrer (the link is the key); refusals as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = _too_large(request) or await handler(request)
            except ServiceError as error:
                language = browser_language(request)
                message = f"{TEXT[language]['refused']} {error.message}"
                response = gone(request, status_of(error), message, language, title="refused_title")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response

        return handle
