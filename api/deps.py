"""FastAPI dependencies: settings, database, Temporal client, and the calling staff member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from temporalio.client import Client

from api.temporal_errors import RETRY_AFTER_S
from core.settings import Settings
from domain.roles import Actor, Role
from store.db import Database
from store.staff import find_by_token

_bearer = HTTPBearer(auto_error=False, description="A staff token: `Authorization: Bearer <token>`.")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_database(request: Request) -> Database:
    """The app's database."""
    return request.app.state.database


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A session per request, committed when the handler succeeds."""
    with database.session() as session:
        yield session


def get_temporal(request: Request) -> Client:
    """The Temporal client made at start-up, or 503 while Temporal is still unreachable."""
    client = request.app.state.temporal.client
    if client is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "The workflow service is not reachable yet; nothing was changed. Try again in a moment.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return client


def get_actor(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    database: Annotated[Database, Depends(get_database)],
) -> Actor:
    """The staff member behind the bearer token, or 401."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing staff token: send the header 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with database.session() as session:
        member = find_by_token(session, credentials.credentials)
    if member is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked staff token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Actor(actor_id=member.staff_id, name=member.name, roles=tuple(Role(r) for r in member.roles))


def require_roles(*roles: Role):
    """A dependency that lets through only staff holding one of `roles`; admins hold every role."""
    allowed = set(roles) | {Role.ADMIN}

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        if not actor.has_any(*allowed):
            wanted = " or ".join(sorted(r.value for r in allowed))
            held = ", ".join(r.value for r in actor.roles) or "no role"
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {wanted}; your token has {held}")
        return actor

    return Depends(check)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function": commit before the response is sent, so a 2xx means the data is stored and visible.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
TemporalDep = Annotated[Client, Depends(get_temporal)]
ActorDep = Annotated[Actor, Depends(get_actor)]
