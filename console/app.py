"""Mount the console on the API's FastAPI app: its pages under /console and its vendored static files."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from console.pages import customers, disputes, new_refund, refunds, settlements, shop_events, sign_in, staff, work
from console.routing import ConsoleRoute
from console.templating import HERE
from console.throttle import SignInThrottle

# Failed sign-ins a client may make per minute before it must wait.
SIGN_IN_FAILURES_PER_MINUTE = 10


def install_console(app: FastAPI) -> None:
    """Serve the console under /console; its pages are not API operations, so they stay out of the OpenAPI document."""
    app.state.console_sign_in_throttle = SignInThrottle(limit=SIGN_IN_FAILURES_PER_MINUTE, window_s=60)
    # Before the pages, so no page's path pattern ever shadows a static file.
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("")
    def console_root() -> RedirectResponse:
        """/console without its slash."""
        return RedirectResponse("/console/", status_code=308)

    for module in (sign_in, work, new_refund, refunds, settlements, disputes, customers, staff, shop_events):
        router.include_router(module.router)
    app.include_router(router)
