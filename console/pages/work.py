"""My work: the landing page, the queues waiting for this person by role, with counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from console.deps import UserDep
from console.pages.common import render
from console.routing import ConsoleRoute
from services.work import my_work
from store.types import utcnow

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def work(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """The queues of this person's roles."""
    queues = my_work(session, user.actor, utcnow().date())
    return render(request, user, "work.html", queues=queues)
