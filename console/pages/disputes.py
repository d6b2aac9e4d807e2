"""Disputes (finance): open disputes with their evidence deadline, the prior-contact decision, evidence or accept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DatabaseDep, SessionDep, TemporalDep
from api.params import DisputeIdPath
from console.deps import PostDep, UserDep
from console.forms import text
from console.pages.common import render, see_other
from console.routing import ConsoleRoute
from domain.disputes import DisputeStatus
from domain.permissions import Action, may
from services import disputes
from services.authorization import authorize
from store.types import utcnow

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _is_open(status: str) -> bool:
    """Whether the bank has not decided yet."""
    try:
        return not DisputeStatus(status).is_closed
    except ValueError:
        return True


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """Open disputes first, the nearest evidence deadline first, then the decided ones."""
    authorize(user.actor, Action.READ_DISPUTES)
    rows = disputes.list_disputes(session, limit=200)
    far = utcnow().replace(year=9999)
    open_rows = sorted((d for d in rows if _is_open(d.status)), key=lambda d: d.evidence_due_at or d.due_by or far)
    closed = [d for d in rows if not _is_open(d.status)]
    return render(request, user, "disputes.html", open_rows=open_rows, closed=closed, now=utcnow())


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(request: Request, dispute_id: DisputeIdPath, user: UserDep, session: SessionDep) -> HTMLResponse:
    """One dispute: deadline, prior contact and its facts, linked orders and refunds, and finance's actions."""
    authorize(user.actor, Action.READ_DISPUTES)
    dispute = disputes.read_dispute(session, dispute_id)
    can_act = may(user.actor.roles, Action.ACT_ON_DISPUTE) and _is_open(dispute.status)
    can_act = can_act and dispute.evidence_submitted_at is None
    # Just submitted: the page follows the dispute until the workflow has handed the evidence to Stripe.
    sending = request.query_params.get("done") == "evidence" and dispute.evidence_submitted_at is None
    return render(
        request, user, "dispute.html", dispute=dispute, can_act=can_act and not sending, sending=sending, now=utcnow()
    )


@router.post("/disputes/{dispute_id}/submit")
async def submit_evidence(
    dispute_id: DisputeIdPath,
    user: PostDep,
    database: DatabaseDep,
    client: TemporalDep,
    evidence: Annotated[str | None, Form(max_length=20000)] = None,
) -> Response:
    """Send the evidence now, with finance's own text."""
    actor = authorize(user.actor, Action.ACT_ON_DISPUTE)
    await disputes.submit_evidence(database, client, dispute_id, actor, text(evidence, "evidence text"))
    return see_other(f"/console/disputes/{dispute_id}?done=evidence")


@router.post("/disputes/{dispute_id}/accept")
async def accept(dispute_id: DisputeIdPath, user: PostDep, database: DatabaseDep, client: TemporalDep) -> Response:
    """Accept the chargeback: no evidence is sent."""
    await disputes.accept_dispute(database, client, dispute_id, authorize(user.actor, Action.ACT_ON_DISPUTE))
    return see_other(f"/console/disputes/{dispute_id}?done=accept")
