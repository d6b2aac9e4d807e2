"""Staff (admin): people and their records, add one, reset a password, revoke; the audit of staff changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DatabaseDep
from console.deps import PostDep, UserDep
from console.forms import required_text, text
from console.pages.common import render, see_other
from console.routing import ConsoleRoute
from domain.roles import Role
from services.authorization import authorize_admin
from services.console_sessions import SignedIn
from services.staff import add_staff, list_staff, revoke_staff, set_staff_password, staff_changes

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
Password = Annotated[str | None, Form(max_length=1024)]


def _page(request: Request, user: SignedIn, database, **extra) -> HTMLResponse:
    """The staff page, with whatever the last action has to show once (a new token)."""
    return render(
        request,
        user,
        "staff.html",
        records=list_staff(database),
        changes=staff_changes(database),
        roles=list(Role),
        **extra,
    )


def _by(user: SignedIn) -> str:
    """Who made a change, as the staff trail records it."""
    return f"console:{user.actor.name}"


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request, user: UserDep, database: DatabaseDep) -> HTMLResponse:
    """Every staff record with its person and roles, and the latest changes."""
    authorize_admin(user.actor)
    return _page(request, user, database)


@router.post("/staff", response_class=HTMLResponse)
def add(
    request: Request,
    user: PostDep,
    database: DatabaseDep,
    name: Annotated[str, Form(max_length=120)],
    roles: Annotated[list[Role], Form()],
    email: Annotated[str | None, Form(max_length=254)] = None,
    password: Password = None,
) -> HTMLResponse:
    """Add a staff record; its API token is shown on this page once."""
    authorize_admin(user.actor)
    member, token = add_staff(
        database, required_text(name, "name"), roles, text(email, "email"), _by(user), text(password, "password")
    )
    return _page(request, user, database, done=f"Added {member.name}.", new_token=token, new_name=member.name)


@router.post("/staff/{name_or_id}/password")
def reset_password(
    name_or_id: str, user: PostDep, database: DatabaseDep, password: Annotated[str, Form(max_length=1024)]
) -> Response:
    """Give the record a new console password; its sessions end."""
    authorize_admin(user.actor)
    set_staff_password(database, name_or_id, password, _by(user))
    return see_other("/console/staff?done=password")


@router.post("/staff/{name_or_id}/revoke")
def revoke(
    name_or_id: str, user: PostDep, database: DatabaseDep, reason: Annotated[str, Form(max_length=2000)]
) -> Response:
    """Switch the record's token and console access off."""
    authorize_admin(user.actor)
    revoke_staff(database, name_or_id, _by(user), required_text(reason, "reason"))
    return see_other("/console/staff?done=revoked")
