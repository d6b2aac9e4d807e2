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


def browser_language(request: Request) -> str:
    """The first language the browser asks for that we have words in (for pages before we know the order)."""
    first = request.headers.get("accept-language", "").split(",", 1)[0]
    return pick_locale(first.split(";", 1)[0])


def page(request: Request, name: str, language: str, status_code: int = 200, **context: Any) -> Response:
    """A customer page in `language`."""
    context |= {"lang": language, "t": TEXT[language]}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def gone(request: Request, status_code: int, message: str, language: str | None = None) -> Response:
    """The friendly page for a link that opens nothing (bad 404, expired 410) or an action refused."""
    return page(request, "gone.html", language or browser_language(request), status_code, message=message)


def csrf_token(request: Request) -> str:
    """The double-submit token: the cookie's value if the browser has one, else a new one."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def csrf_matches(request: Request, submitted: str | None) -> bool:
    """A POST carries the same token in its form as in its cookie (another site can set neither)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and submitted and secrets.compare_digest(cookie, submitted))


class CustomerRoute(APIRoute):
    """Customer pages: no framing, no caching, no referrer (the link is the key); refusals as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except ServiceError as error:
                language = browser_language(request)
                response = gone(request, status_of(error), f"{TEXT[language]['refused']} {error.message}")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response

        return handle
