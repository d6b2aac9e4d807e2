"""FastAPI dependencies: settings, database, Temporal and Stripe clients, and the calling staff member."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

import stripe
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from temporalio.client import Client

from api.auth import authenticated_actor
from core.settings import Settings
from domain.permissions import Action, may, refusal_message
from domain.roles import Actor
from services.errors import Forbidden
from services.temporal_errors import RETRY_AFTER_S
from store.db import Database

# Deeper than any list we hold; larger offsets are refused with a sentence instead of overflowing the database's
# integer.
MAX_OFFSET = 1_000_000_000

_bearer = HTTPBearer(auto_error=False, description="A staff token: `Authorization: Bearer <token>`.")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


def get_session(request: Request, database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session per request, committed when the handler succeeds; a GET only reads, so it never waits on a writer."""
    with database.session(read_only=request.method in ("GET", "HEAD")) as session:
        yield session


def get_temporal(request: Request) -> Client:
    """The Temporal client made at start-up, or 503 while Temporal is still unreachable."""
    client: Client | None = request.app.state.temporal.client
    if client is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "The workflow service is not reachable yet; nothing was changed. Try again in a moment.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return client


def get_stripe(request: Request) -> stripe.StripeClient:
    """The Stripe client made at start-up."""
    client: stripe.StripeClient = request.app.state.stripe
    return client


def get_actor(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # names the scheme in OpenAPI
) -> Actor:
    """The staff member behind the bearer token, or 401 (429 after too many unknown tokens from the address)."""
    return authenticated_actor(request)


def permits(action: Action) -> Any:
    """A dependency that lets through only staff whose roles may take `action` (domain.permissions decides)."""

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        if not may(actor.roles, action):
            raise Forbidden(refusal_message(action, actor.roles))
        return actor

    # Read by the role × action matrix test, which walks the app's routes.
    check_with_action: Callable[..., Actor] = check
    check_with_action.action = action  # type: ignore[attr-defined]
    return Depends(check_with_action)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function": commit before the response is sent, so a 2xx means the data is stored and visible.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
TemporalDep = Annotated[Client, Depends(get_temporal)]
StripeDep = Annotated[stripe.StripeClient, Depends(get_stripe)]
ActorDep = Annotated[Actor, Depends(get_actor)]
