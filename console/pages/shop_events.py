"""Shop events (admin): where the shop receives our signed events, each delivery's fate, and replaying one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from console.deps import PostDep, UserDep
from console.pages.common import render, see_other
from console.routing import ConsoleRoute
from domain.permissions import Action
from services.authorization import authorize
from services.shop_endpoints import delivery_state, list_deliveries, list_endpoints, replay_delivery

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 50
STATES = ("pending", "delivered", "given_up")


@router.get("/shop-events", response_class=HTMLResponse)
def shop_events_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    endpoint: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str | None, Query(pattern="^(pending|delivered|given_up)$")] = None,
) -> HTMLResponse:
    """Every endpoint; the chosen one's latest deliveries (status, attempts, last error) with a replay button."""
    authorize(user.actor, Action.READ_SHOP_ENDPOINTS)
    endpoints = list_endpoints(session)
    chosen = next((e for e in endpoints if e.endpoint_id == endpoint), endpoints[0] if endpoints else None)
    deliveries: list = []
    total = 0
    if chosen is not None:
        deliveries, total = list_deliveries(session, chosen.endpoint_id, state, PAGE_SIZE, 0)
    return render(
        request,
        user,
        "shop_events.html",
        endpoints=endpoints,
        chosen=chosen,
        state=state,
        states=STATES,
        deliveries=[(d, delivery_state(d)) for d in deliveries],
        total=total,
    )


@router.post("/shop-events/{endpoint_id}/deliveries/{delivery_id}/replay")
def replay(endpoint_id: str, delivery_id: int, user: PostDep, session: SessionDep) -> Response:
    """Send one delivery again soon, with the same event id (the shop lost it, or we gave up)."""
    authorize(user.actor, Action.MANAGE_SHOP_ENDPOINTS)
    replay_delivery(session, endpoint_id, delivery_id)
    return see_other(f"/console/shop-events?endpoint={endpoint_id}&done=replayed")
