"""Who is signed in to the console (the session cookie), and the CSRF check every POST passes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, status

from api.deps import DatabaseDep, SettingsDep
from console.routing import PageRefusal, SignInRequired
from services.console_sessions import SignedIn, csrf_matches, resume

SESSION_COOKIE = "refunds_console"
# Before signing in there is no session: the sign-in form's token is a double-submit cookie instead.
SIGN_IN_COOKIE = "refunds_console_sign_in"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = (
    "This form was refused because it did not carry this session's security token; nothing was changed. "
    "Reload the page and submit it again."
)


def signed_in(request: Request, database: DatabaseDep, settings: SettingsDep) -> SignedIn:
    """The signed-in person's staff record, or a redirect to the sign-in page."""
    cookie = request.cookies.get(SESSION_COOKIE)
    user = resume(database, cookie, settings.console_session_idle) if cookie else None
    if user is None:
        raise SignInRequired()
    request.state.console_user = user
    return user


async def form_token(request: Request) -> str | None:
    """The CSRF token a POST carries: htmx's header, or the form's hidden field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


async def checked_post(request: Request, user: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
    """The signed-in person, once the POST proved it comes from one of their session's pages."""
    if not csrf_matches(user, await form_token(request)):
        raise PageRefusal(status.HTTP_403_FORBIDDEN, CSRF_REFUSED)
    return user


UserDep = Annotated[SignedIn, Depends(signed_in)]
PostDep = Annotated[SignedIn, Depends(checked_post)]
