"""Who sent a request: the bearer token's staff member, checked once per request, with failed tokens rate-limited."""

from __future__ import annotations

import math
import time

from fastapi import HTTPException, Request, status
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from domain.roles import Actor
from services import staff
from store.db import Database

MISSING_TOKEN = "missing staff token: send the header 'Authorization: Bearer <token>'"
UNKNOWN_TOKEN = "unknown or revoked staff token"
_ACTOR_KEY = "refunds.actor"


class AuthFailureLimit:
    """Counts each client address's unknown or revoked tokens in a moving window (in memory, per API process)."""

    def __init__(self, limit: str) -> None:
        self._item = parse(limit)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may sign in again, or None while it is under the limit."""
        if self._limiter.test(self._item, client):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(self._item, client)
        return max(1, math.ceil(reset_at - time.time()))

    def failed(self, client: str) -> None:
        """Count one failed sign-in of `client`."""
        self._limiter.hit(self._item, client)


def client_address(request: Request) -> str:
    """The address failures are counted against (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client is not None else "unknown"


def bearer_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None when the header is missing or of another scheme."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def too_many_failures(retry_after: int) -> HTTPException:
    """429: this address sent too many unknown tokens; even a good one waits, so guessing gains nothing."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"Too many unknown or revoked staff tokens were sent from this address; sign-ins from it are refused for "
        f"{retry_after} s. Check the token and try again then.",
        headers={"Retry-After": str(retry_after)},
    )


def try_token(request: Request, token: str) -> Actor | None:
    """The staff member holding `token`, None for an unknown one (counted); 429 while the address is over the limit."""
    limit: AuthFailureLimit = request.app.state.auth_failures
    client = client_address(request)
    retry_after = limit.retry_after(client)
    if retry_after is not None:
        raise too_many_failures(retry_after)
    database: Database = request.app.state.database
    actor = staff.authenticate(database, token)
    if actor is None:
        limit.failed(client)
    return actor


def authenticated_actor(request: Request) -> Actor:
    """The staff member behind the request's bearer token, or 401 (429 after too many unknown tokens)."""
    cached: Actor | None = request.scope.get(_ACTOR_KEY)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, MISSING_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    actor = try_token(request, token)
    if actor is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNKNOWN_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    # The guarded route authenticates before the body is read; the route's own dependency then finds it here.
    request.scope[_ACTOR_KEY] = actor
    return actor
