"""Chargebacks: finance and admins follow them, submit evidence early or accept them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ActorDep, DatabaseDep, SessionDep, TemporalDep, permits
from api.guarded_route import GuardedRoute
from api.params import DisputeIdPath, DisputeStatusQuery
from domain.dispute_messages import DisputeState
from domain.permissions import Action
from domain.text import PlainText
from services import disputes
from store.dispute_tables import Dispute

router = APIRouter(prefix="/disputes", tags=["disputes"], route_class=GuardedRoute)


class DisputePublic(BaseModel):
    """A dispute with its deadline, prior-contact decision, linked orders and refunds, and timeline."""

    model_config = ConfigDict(from_attributes=True)

    dispute_id: str
    workflow_id: str
    charge_id: str
    payment_intent_id: str | None
    customer_id: str | None
    amount_minor: int
    currency: str
    reason: str
    status: str
    opened_at: datetime
    due_by: datetime | None
    evidence_due_at: datetime | None
    evidence_submitted_at: datetime | None
    prior_contact: bool | None
    prior_contact_clause: str | None
    prior_contact_evidence: list[str]
    suspended: bool
    order_ids: list[str]
    refund_ids: list[str]
    outcome: str | None
    timeline: list[dict]
    accepted_action: str | None = Field(
        None,
        description="On an answer to submit or accept: the action the workflow accepted ('submit_evidence' or "
        "'accept'); it is sent to Stripe within seconds and `status` changes once Stripe has it.",
    )
    message: str | None = Field(None, description="What this answer means, in a sentence.")


class EvidenceBody(BaseModel):
    """Optional free text finance adds to the evidence."""

    model_config = ConfigDict(extra="forbid")

    uncategorized_text: PlainText | None = Field(None, max_length=20000)


@router.get("", response_model=list[DisputePublic], dependencies=[permits(Action.READ_DISPUTES)])
def list_disputes(
    session: SessionDep, status: DisputeStatusQuery = None, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[DisputePublic]:
    """Disputes, newest first, optionally by status."""
    return [DisputePublic.model_validate(row) for row in disputes.list_disputes(session, status, limit)]


@router.get("/{dispute_id}", response_model=DisputePublic, dependencies=[permits(Action.READ_DISPUTES)])
def read_dispute(dispute_id: DisputeIdPath, session: SessionDep) -> DisputePublic:
    """One dispute."""
    return DisputePublic.model_validate(disputes.read_dispute(session, dispute_id))


@router.post("/{dispute_id}/submit", response_model=DisputePublic, dependencies=[permits(Action.ACT_ON_DISPUTE)])
async def submit_evidence(
    dispute_id: DisputeIdPath, body: EvidenceBody, actor: ActorDep, database: DatabaseDep, client: TemporalDep
) -> DisputePublic:
    """Submit the assembled evidence now instead of waiting for the automatic submission."""
    row, state = await disputes.submit_evidence(database, client, dispute_id, actor, body.uncategorized_text)
    return _public(row, state, "submit_evidence", SUBMIT_ACCEPTED)


@router.post("/{dispute_id}/accept", response_model=DisputePublic, dependencies=[permits(Action.ACT_ON_DISPUTE)])
async def accept_dispute(
    dispute_id: DisputeIdPath, actor: ActorDep, database: DatabaseDep, client: TemporalDep
) -> DisputePublic:
    """Accept the dispute: no evidence is sent and the chargeback stands."""
    row, state = await disputes.accept_dispute(database, client, dispute_id, actor)
    return _public(row, state, "accept", ACCEPT_ACCEPTED)


SUBMIT_ACCEPTED = (
    "Your evidence was accepted and is being sent to Stripe now; the status changes to under_review once Stripe "
    "has it (follow the timeline)."
)
ACCEPT_ACCEPTED = (
    "The dispute is being accepted at Stripe now: no evidence is sent and the chargeback stands; the status "
    "changes to lost once Stripe has it."
)


def _public(row: Dispute, state: DisputeState, action: str, message: str) -> DisputePublic:
    """The dispute row with the fresher status and timeline the workflow just answered, and what it accepted."""
    public = DisputePublic.model_validate(row)
    return public.model_copy(
        update={
            "status": state.status.value,
            "timeline": [e.model_dump(mode="json") for e in state.timeline],
            "accepted_action": action,
            "message": message,
        }
    )
