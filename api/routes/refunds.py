"""Refunds: support requests them, approvers decide, finance resolves failures."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from sqlalchemy import func
from sqlmodel import col, select
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from api.deps import (
    ActorDep,
    DatabaseDep,
    SessionDep,
    SettingsDep,
    TemporalDep,
    require_roles,
)
from api.refund_requests import prepare, start_workflow
from api.refund_schemas import (
    FailureResolutionBody,
    InvestigationBody,
    NoteBody,
    PolicyDecisionPublic,
    RefundCreate,
    RefundCreated,
    RefundDetail,
    RefundPage,
    RefundSummary,
    TroubleshootingBody,
)
from api.refund_views import (
    decision_from_row,
    detail_from_row,
    detail_from_state,
    workflow_url,
)
from api.temporal_errors import RETRY_AFTER_S
from api.workflow_updates import send_update
from domain.refund_messages import (
    CancelRequest,
    DecisionRequest,
    FailureResolution,
    InvestigationRecord,
    RefundState,
    SettlementConfirmation,
    TroubleshootingRecord,
)
from domain.refunds import RefundStatus
from domain.roles import Role
from store.refund_tables import Refund
from store.refunds import get_refund, timeline

log = logging.getLogger(__name__)
router = APIRouter(prefix="/refunds", tags=["refunds"])
READERS = (Role.SUPPORT, Role.APPROVER, Role.FINANCE)


@router.post("", response_model=RefundCreated, status_code=status.HTTP_201_CREATED, dependencies=[require_roles(Role.SUPPORT)])
async def request_refund(
    body: RefundCreate,
    actor: ActorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    client: TemporalDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> RefundCreated:
    """Open a refund request and start its workflow; the same Idempotency-Key and body give the same refund."""
    # Off the event loop: waiting there on a SQLite lock stalls every request (and deadlocks with a sync route
    # whose session holds the lock until the loop lets it commit).
    prepared = await database.atransact(lambda session: prepare(session, settings, body, actor, idempotency_key))
    try:
        await start_workflow(client, settings, prepared)
    except WorkflowAlreadyStartedError:
        # A replay of a request whose workflow already ended (rejected at once, say): the refund exists, answer with it.
        if not prepared.replayed:
            raise
    except RPCError as error:
        # Temporal may or may not have started it: the row stays (it holds the workflow's input), and the recovery loop
        # (api/refund_starts.py) starts it once Temporal answers, so the request is never lost nor run twice.
        log.error("refund workflow did not start", extra={"refund_id": prepared.row.refund_id, "error": str(error)})
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"Refund {prepared.row.refund_id} is recorded, but the workflow service did not answer; it will start on its own "
            "as soon as the service is back. Retry with the same Idempotency-Key to follow it.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        ) from error
    if prepared.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    log.info("refund requested", extra={"refund_id": prepared.row.refund_id, "order_id": body.order_id, "reason": body.reason.value})
    a = prepared.assessment
    # A replay answers with the decision the refund was made with, not one recomputed now (windows may have passed).
    decision = decision_from_row(prepared.row) if prepared.replayed else None
    return RefundCreated(
        refund_id=prepared.row.refund_id,
        workflow_id=prepared.row.workflow_id,
        status=RefundStatus(prepared.row.status),
        workflow_url=workflow_url(settings, prepared.row.workflow_id),
        policy_decision=decision
        or PolicyDecisionPublic(
            path=a.path.value, rule=a.rule.value, clause=a.clause, verified=a.verified, evidence=list(a.evidence),
            policy_version=a.policy_version, legal_basis=a.legal_basis,
        ),
    )


@router.get("", response_model=RefundPage, dependencies=[require_roles(*READERS)])
def list_refunds(
    session: SessionDep,
    status_: Annotated[RefundStatus | None, Query(alias="status")] = None,
    order_id: str | None = None,
    customer_id: str | None = None,
    needs_attention: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RefundPage:
    """Refunds, newest first, filtered by status, order, customer or needing attention."""
    query = select(Refund)
    if status_ is not None:
        query = query.where(Refund.status == status_.value)
    if order_id:
        query = query.where(Refund.order_id == order_id)
    if customer_id:
        query = query.where(Refund.customer_id == customer_id)
    if needs_attention is not None:
        query = query.where(Refund.needs_attention == needs_attention)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Refund.requested_at).desc(), col(Refund.refund_id)).offset(offset).limit(limit))
    items = [RefundSummary.model_validate(row, from_attributes=True) for row in rows]
    return RefundPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{refund_id}", response_model=RefundDetail, dependencies=[require_roles(*READERS)])
def read_refund(refund_id: str, session: SessionDep, settings: SettingsDep) -> RefundDetail:
    """A refund with its policy decision, approvals, Stripe refund, settlement window and timeline."""
    return detail_from_row(settings, get_refund(session, refund_id), timeline(session, refund_id))


async def _update(database, settings, client, refund_id: str, update: str, argument) -> RefundDetail:
    """Send a validated update to the refund's workflow and answer with the state it returns."""
    row = await database.atransact(lambda session: get_refund(session, refund_id))
    ended = f"refund {refund_id} is {row.status} and can no longer change"
    state = await send_update(client, row.workflow_id, update, argument, RefundState, ended)
    return detail_from_state(settings, row, state)


@router.post("/{refund_id}/troubleshooting", response_model=RefundDetail, dependencies=[require_roles(Role.SUPPORT)])
async def record_troubleshooting(refund_id: str, body: TroubleshootingBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Record a troubleshooting step: in_progress, resolved (no refund) or unresolved (to approval)."""
    return await _update(database, settings, client, refund_id, "record_troubleshooting", TroubleshootingRecord(actor=actor, **body.model_dump()))


@router.post("/{refund_id}/investigation", response_model=RefundDetail, dependencies=[require_roles(Role.APPROVER)])
async def record_investigation(refund_id: str, body: InvestigationBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Record whether an unauthorized transaction is confirmed."""
    return await _update(database, settings, client, refund_id, "record_investigation", InvestigationRecord(actor=actor, **body.model_dump()))


@router.post("/{refund_id}/approve", response_model=RefundDetail, dependencies=[require_roles(Role.APPROVER, Role.FINANCE)])
async def approve(refund_id: str, body: NoteBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Approve; the last approval required sends the refund to Stripe."""
    return await _update(database, settings, client, refund_id, "approve", DecisionRequest(actor=actor, note=body.note))


@router.post("/{refund_id}/reject", response_model=RefundDetail, dependencies=[require_roles(Role.APPROVER, Role.FINANCE)])
async def reject(refund_id: str, body: NoteBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Reject; the customer is told."""
    return await _update(database, settings, client, refund_id, "reject", DecisionRequest(actor=actor, note=body.note))


@router.post("/{refund_id}/cancel", response_model=RefundDetail, dependencies=[require_roles(Role.SUPPORT, Role.APPROVER)])
async def cancel(refund_id: str, body: NoteBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Withdraw a refund until the Stripe call is made."""
    return await _update(database, settings, client, refund_id, "cancel", CancelRequest(actor=actor, note=body.note))


@router.post("/{refund_id}/resolve-failure", response_model=RefundDetail, dependencies=[require_roles(Role.FINANCE)])
async def resolve_failure(refund_id: str, body: FailureResolutionBody, actor: ActorDep, database: DatabaseDep, settings: SettingsDep, client: TemporalDep) -> RefundDetail:
    """Finance retries a failed refund or records a manual payout."""
    return await _update(database, settings, client, refund_id, "resolve_failure", FailureResolution(actor=actor, **body.model_dump()))


async def confirm_settlement(refund_id: str, body: NoteBody, actor, database, settings, client) -> RefundDetail:
    """Finance confirms the customer's bank shows the refund (used by the settlements routes)."""
    return await _update(database, settings, client, refund_id, "confirm_settlement", SettlementConfirmation(actor=actor, note=body.note))
