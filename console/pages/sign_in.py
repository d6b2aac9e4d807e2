"""Signing in with an email (or staff name) and password, and signing out."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import DatabaseDep, SettingsDep
from console.deps import COOKIE_PATH, CSRF_REFUSED, SESSION_COOKIE, SIGN_IN_COOKIE, PostDep
from console.pages.common import render, see_other
from console.routing import ConsoleRoute, PageRefusal
from console.throttle import SignInThrottle
from services.console_sessions import SeveralStaffRecords, SignInRefused, sign_in, sign_out

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _next_page(value: str | None) -> str:
    """Where to go after signing in: a console page, never another site."""
    if value and value.startswith("/console") and not value.startswith("//"):
        return value
    return "/console/"


def _form(request: Request, *, message: str | None = None, login: str = "", next_page: str = "", code: int = 200):
    """The sign-in form, with the double-submit token in a cookie and in the form."""
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request, None, "sign_in.html", status_code=code, message=message, login=login, next=next_page, csrf_token=token
    )
    secure = request.app.state.settings.console_cookie_secure
    response.set_cookie(SIGN_IN_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return _form(request, next_page=_next_page(next))


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in_submit(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    login: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password; a session cookie and the page asked for, or the form again with the reason."""
    cookie_token = request.cookies.get(SIGN_IN_COOKIE)
    if not cookie_token or not secrets.compare_digest(cookie_token, csrf_token):
        raise PageRefusal(status.HTTP_403_FORBIDDEN, CSRF_REFUSED)
    throttle: SignInThrottle = request.app.state.console_sign_in_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(client)
    if wait is not None:
        raise PageRefusal(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many failed sign-ins from this computer; wait {wait} seconds and try again.",
            headers={"Retry-After": str(wait)},
        )
    try:
        # Off the event loop: argon2 takes tens of milliseconds, and SQLite may wait on a lock.
        cookie, _user = await asyncio.to_thread(sign_in, database, login, password, settings.console_session_max)
    except SeveralStaffRecords as several:
        return _form(request, message=several.message, next_page=_next_page(next), code=status.HTTP_409_CONFLICT)
    except SignInRefused as refused:
        throttle.failed(client)
        return _form(
            request, message=refused.message, login=login, next_page=_next_page(next), code=status.HTTP_401_UNAUTHORIZED
        )
    response = RedirectResponse(_next_page(next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(settings.console_session_max.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.console_cookie_secure,
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request, database: DatabaseDep, _user: PostDep) -> Response:
    """End the session and go back to the sign-in form."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        sign_out(database, cookie)
    response = see_other("/console/sign-in")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
