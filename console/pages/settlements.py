"""Settlements (finance): issued refunds by settlement state, totals per currency per state, failed ones apart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from console.deps import UserDep
from console.pages.common import render
from console.routing import ConsoleRoute
from domain.permissions import Action
from services.authorization import authorize
from services.settlements import list_settlements
from store.settlements import SettlementFilter, SettlementState, action_needed, is_overdue
from store.types import utcnow

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 50


@router.get("/settlements", response_class=HTMLResponse)
def settlements_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    state: Annotated[SettlementState | None, Query()] = None,
    needs_attention: bool = False,
) -> HTMLResponse:
    """The refunds of one settlement state; totals of each state on their own, so failed money is never summed in."""
    authorize(user.actor, Action.READ_SETTLEMENTS)
    today = utcnow().date()
    totals = {
        s: list_settlements(session, SettlementFilter(today=today, state=s), limit=0).by_currency
        for s in SettlementState
    }
    spec = SettlementFilter(today=today, state=state, needs_attention=True if needs_attention else None)
    page = list_settlements(session, spec, limit=PAGE_SIZE, totals=False)
    rows = [{"refund": row, "overdue": is_overdue(row, today), "action": action_needed(row)} for row in page.rows]
    return render(
        request,
        user,
        "settlements.html",
        rows=rows,
        total=page.total,
        state=state,
        states=list(SettlementState),
        totals=totals,
        needs_attention=needs_attention,
    )
