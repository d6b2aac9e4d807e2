"""The console's route class: refusals become pages with their sentence, a missing session a redirect to sign in."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
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


def _invalid_fields(invalid: RequestValidationError) -> str:
    """'note: String should have at most 2000 characters' for each field the form got wrong."""
    lines = []
    for error in invalid.errors():
        field = str(error.get("loc", ("form",))[-1]).replace("_", " ")
        message = "is required" if error.get("type") == "missing" else error.get("msg", "is invalid")
        lines.append(f"{field}: {message.removeprefix('Value error, ')}")
    return "The form was not accepted; nothing was changed. " + "; ".join(lines) + "."


def refusal_page(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The page that says why nothing was done."""
    from console.templating import templates

    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    back = referer.removeprefix(origin) if referer.startswith(origin + "/console") else "/console/"
    from console.pages.common import nav_for

    user = getattr(request.state, "console_user", None)
    context: dict[str, Any] = {
        "status_code": status_code,
        "message": message,
        "user": user,
        "back": back,
        "nav": nav_for(user, request.url.path) if user else [],
    }
    return templates.TemplateResponse(request, "refused.html", context, status_code=status_code, headers=headers)


class ConsoleRoute(APIRoute):
    """Every console route: service refusals and console refusals render a page instead of the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            response = await self._answer(handler, request)
            # Staff pages hold customers' data: never framed by another site, never kept in a shared cache.
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response

        return handle

    @staticmethod
    async def _answer(handler: Callable[[Request], Coroutine[Any, Any, Response]], request: Request) -> Response:
        """The page, or the page that says why not."""
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
        except RequestValidationError as invalid:
            return refusal_page(request, 422, _invalid_fields(invalid))
        except HTTPException as error:
            return refusal_page(request, error.status_code, str(error.detail), dict(error.headers or {}))
