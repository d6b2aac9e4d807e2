"""The console's route class: refusals become pages with their sentence, a missing session a redirect to sign in."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from api.errors import status_of
from services.errors import ServiceError


class SignInRequired(Exception):
    """No valid console session: the person signs in, then comes back here."""


class PageRefusal(Exception):
    """A console-level refusal (CSRF, rate limit) shown as a page with one sentence."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers


def refusal_page(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The page that says why nothing was done."""
    from console.templating import templates

    context = {"status_code": status_code, "message": message, "user": getattr(request.state, "console_user", None)}
    return templates.TemplateResponse(request, "refused.html", context, status_code=status_code, headers=headers)


class ConsoleRoute(APIRoute):
    """Every console route: service refusals and console refusals render a page instead of the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.headers.get("HX-Request"):
                    # htmx follows redirects inside the fragment; ask it to load the sign-in page as a whole.
                    return Response(status_code=204, headers={"HX-Redirect": "/console/sign-in"})
                return RedirectResponse(f"/console/sign-in?next={quote(target)}", status_code=303)
            except PageRefusal as refusal:
                return refusal_page(request, refusal.status_code, refusal.message, refusal.headers)
            except ServiceError as error:
                return refusal_page(request, status_of(error), error.message)

        return handle
