"""Refunds: support requests them, approvers decide, finance resolves failures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import MAX_OFFSET, ActorDep, DatabaseDep, SessionDep, SettingsDep, TemporalDep, permits
from api.guarded_route import GuardedRoute
from api.params import CustomerIdQuery, IdempotencyKeyHeader, OrderIdQuery, RefundIdPath
from api.refund_schemas import (
    FailureResolutionBody,
    InvestigationBody,
    NoteBody,
    RefundCreate,
    RefundCreated,
    RefundDetail,
    RefundPage,
    RefundSummary,
    TroubleshootingBody,
)
from api.refund_views import (
    decision_from_assessment,
    decision_from_row,
    detail_from_row,
    detail_from_state,
    workflow_url,
)
from domain.permissions import Action
from domain.policy.paths import INITIAL_STATUS, RefundPath
from domain.refunds import RefundStatus
from services import refunds

router = APIRouter(prefix="/refunds", tags=["refunds"], route_class=GuardedRoute)


@router.post(
    "", response_model=RefundCreated, status_code=status.HTTP_201_CREATED, dependencies=[permits(Action.REQUEST_REFUND)]
)
async def request_refund(
    body: RefundCreate,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> RefundCreated:
    """Open a refund request and start its workflow; the same Idempotency-Key and body give the same refund."""
    prepared = await refunds.request_refund(database, settings, client, body, actor, idempotency_key)
    if prepared.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    # A replay answers with the decision the refund was made with, not one recomputed now (windows may have passed).
    decision = decision_from_row(prepared.row) if prepared.replayed else None
    decided = INITIAL_STATUS[RefundPath(decision.path)] if decision else prepared.assessment.initial_status
    return RefundCreated(
        decided_status=decided,
        refund_id=prepared.row.refund_id,
        workflow_id=prepared.row.workflow_id,
        status=RefundStatus(prepared.row.status),
        workflow_url=workflow_url(settings, prepared.row.workflow_id),
        policy_decision=decision or decision_from_assessment(prepared.assessment),
    )


@router.get("", response_model=RefundPage, dependencies=[permits(Action.READ_REFUNDS)])
def list_refunds(
    session: SessionDep,
    status_: Annotated[RefundStatus | None, Query(alias="status")] = None,
    order_id: OrderIdQuery = None,
    customer_id: CustomerIdQuery = None,
    needs_attention: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RefundPage:
    """Refunds, newest first, filtered by status, order, customer or needing attention."""
    rows, total = refunds.list_refunds(
        session,
        status=status_,
        order_id=order_id,
        customer_id=customer_id,
        needs_attention=needs_attention,
        limit=limit,
        offset=offset,
    )
    items = [RefundSummary.model_validate(row, from_attributes=True) for row in rows]
    return RefundPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{refund_id}", response_model=RefundDetail, dependencies=[permits(Action.READ_REFUNDS)])
def read_refund(refund_id: RefundIdPath, session: SessionDep, settings: SettingsDep) -> RefundDetail:
    """A refund with its policy decision, approvals, Stripe refund, settlement window and timeline."""
    row, events = refunds.read_refund(session, refund_id)
    return detail_from_row(settings, row, events)


@router.post(
    "/{refund_id}/troubleshooting", response_model=RefundDetail, dependencies=[permits(Action.RECORD_TROUBLESHOOTING)]
)
async def record_troubleshooting(
    refund_id: RefundIdPath,
    body: TroubleshootingBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Record a troubleshooting step: in_progress, resolved (no refund) or unresolved (to approval)."""
    return detail_from_state(
        settings, *await refunds.record_troubleshooting(database, client, refund_id, actor, body.note, body.outcome)
    )


@router.post(
    "/{refund_id}/investigation", response_model=RefundDetail, dependencies=[permits(Action.RECORD_INVESTIGATION)]
)
async def record_investigation(
    refund_id: RefundIdPath,
    body: InvestigationBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Record whether an unauthorized transaction is confirmed."""
    return detail_from_state(
        settings, *await refunds.record_investigation(database, client, refund_id, actor, body.finding, body.note)
    )


@router.post("/{refund_id}/approve", response_model=RefundDetail, dependencies=[permits(Action.DECIDE_REFUND)])
async def approve(
    refund_id: RefundIdPath,
    body: NoteBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Approve; the last approval required sends the refund to Stripe."""
    return detail_from_state(settings, *await refunds.approve(database, client, refund_id, actor, body.note))


@router.post("/{refund_id}/reject", response_model=RefundDetail, dependencies=[permits(Action.DECIDE_REFUND)])
async def reject(
    refund_id: RefundIdPath,
    body: NoteBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Reject; the customer is told."""
    return detail_from_state(settings, *await refunds.reject(database, client, refund_id, actor, body.note))


@router.post("/{refund_id}/cancel", response_model=RefundDetail, dependencies=[permits(Action.CANCEL_REFUND)])
async def cancel(
    refund_id: RefundIdPath,
    body: NoteBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Withdraw a refund until the Stripe call is made."""
    return detail_from_state(settings, *await refunds.cancel(database, client, refund_id, actor, body.note))


@router.post(
    "/{refund_id}/resolve-failure", response_model=RefundDetail, dependencies=[permits(Action.RESOLVE_FAILURE)]
)
async def resolve_failure(
    refund_id: RefundIdPath,
    body: FailureResolutionBody,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
) -> RefundDetail:
    """Finance retries a failed refund or records a manual payout."""
    return detail_from_state(
        settings, *await refunds.resolve_failure(database, client, refund_id, actor, body.action, body.reference)
    )
