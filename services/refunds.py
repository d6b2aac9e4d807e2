"""Refund use cases: open a request (checked against the order and the policy, recorded, its workflow started),
read refunds, and each staff action on one (sent to its workflow as a validated update)."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from core.settings import Settings
from domain.money import AmountMinor
from domain.orders import OrderStatus
from domain.policy import (
    OrderFacts,
    OtherPayment,
    PolicyAssessment,
    RefundRequestFacts,
    assess_request,
    validate_amount,
)
from domain.refund_messages import (
    CancelRequest,
    DecisionRequest,
    FailureResolution,
    InvestigationRecord,
    RefundInput,
    RefundState,
    TroubleshootingRecord,
    refund_workflow_id,
)
from domain.refunds import FailureAction, InvestigationFinding, RefundReason, RefundStatus, TroubleshootingOutcome
from domain.roles import Actor
from domain.text import PlainText
from services.errors import Conflict, Unavailable, use_case
from services.time_bounds import check_contact_time
from services.workflow_updates import send_update
from store.db import Database
from store.orders import OrderConflict, get_order
from store.refund_tables import Refund, RefundEvent
from store.refunds import (
    first_recorded_contact,
    get_refund,
    open_refund_request,
    other_orders_refunded_so_far,
    refunded_so_far,
    refuse_if_open_refund,
    rejected_refund_ids,
    timeline,
)
from store.tables import Order
from store.types import utcnow
from store.work_queues import staff_ids_of
from workflows import search_attributes as sa
from workflows.refund import RefundWorkflow

log = logging.getLogger(__name__)


class IdempotencyMismatch(Conflict):
    """The Idempotency-Key was already used for a different request."""


class RefundCreate(BaseModel):
    """Support asking for a refund on the customer's behalf."""

    model_config = ConfigDict(extra="forbid")

    order_id: PlainText = Field(min_length=1, max_length=64)
    reason: RefundReason
    amount_minor: AmountMinor | None = Field(
        None, description="Partial amount in minor units; omit for the whole remainder."
    )
    customer_contacted_at: AwareDatetime | None = Field(
        None, description="When the customer contacted us; default now."
    )
    note: PlainText | None = Field(None, max_length=2000)
    legal_basis: PlainText | None = Field(None, max_length=500, description="Local consumer law invoked, if any.")


@dataclass
class PreparedRefund:
    """A recorded refund request and the workflow input that goes with it."""

    row: Refund
    workflow_input: RefundInput
    assessment: PolicyAssessment
    replayed: bool


def refund_id_for(actor: Actor, idempotency_key: str | None) -> str:
    """A new refund id; the same staff member's same Idempotency-Key always gives the same id."""
    if idempotency_key:
        return "rf_" + hashlib.sha256(f"{actor.actor_id}:{idempotency_key}".encode()).hexdigest()[:24]
    return "rf_" + uuid.uuid4().hex[:24]


def fingerprint(body: RefundCreate) -> str:
    """A hash of what was asked, to tell a retry from a different request under the same key."""
    return hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


@use_case
def prepare(
    session: Session, settings: Settings, body: RefundCreate, actor: Actor, idempotency_key: str | None
) -> PreparedRefund:
    """Validate the request against the order and the policy, and record it (or find the earlier identical one)."""
    refund_id = refund_id_for(actor, idempotency_key)
    request_print = fingerprint(body)
    existing = session.get(Refund, refund_id) if idempotency_key else None
    if existing is not None and existing.request_fingerprint != request_print:
        raise IdempotencyMismatch(
            f"Idempotency-Key '{idempotency_key}' was already used for a different refund request ({refund_id})"
        )
    now = utcnow()
    order, workflow_input, assessment = _assess(session, settings, body, actor, refund_id, now)
    if existing is not None:
        return PreparedRefund(existing, workflow_input, assessment, replayed=True)
    row = Refund(
        refund_id=refund_id,
        workflow_id=refund_workflow_id(refund_id),
        order_id=order.order_id,
        customer_id=order.customer_id,
        reason=body.reason.value,
        status=RefundStatus.RECEIVED.value,
        amount_minor=assessment.amount_minor,
        currency=order.currency,
        requested_by_id=actor.actor_id,
        requested_by_name=actor.name,
        requested_at=now,
        customer_contacted_at=workflow_input.request.customer_contacted_at,
        earlier_rejected_refund_ids=list(workflow_input.order.earlier_rejected_refund_ids),
        note=body.note,
        legal_basis=workflow_input.request.legal_basis,
        idempotency_key=idempotency_key,
        request_fingerprint=request_print,
        policy_parameters=workflow_input.params.model_dump(mode="json"),
        workflow_input=workflow_input.model_dump(mode="json"),
    )
    open_refund_request(session, row)
    return PreparedRefund(row, workflow_input, assessment, replayed=False)


def _assess(
    session: Session, settings: Settings, body: RefundCreate, actor: Actor, refund_id: str, now: datetime
) -> tuple[Order, RefundInput, PolicyAssessment]:
    """The order, the workflow's input and the policy's assessment of a request, refusals raised; nothing recorded."""
    order = get_order(session, body.order_id)
    if order.status in (OrderStatus.SUSPENDED, OrderStatus.CHARGED_BACK):
        raise OrderConflict(
            f"order {order.order_id} is {order.status} after a chargeback; refunds are handled through the dispute"
        )
    # Before the amount: an open refund counts as refunded so far, and "open refund" (409) is the truer answer.
    refuse_if_open_refund(session, order.order_id, excluding=refund_id)
    contacted_at = body.customer_contacted_at or now
    # Before payment is the policy's own refusal (assess_request), with the order's payment time in its words.
    check_contact_time("customer_contacted_at", contacted_at, now)
    # The policy's timing rules rest on what our clock recorded; this request is itself such a record.
    recorded_contact = min(first_recorded_contact(session, order) or now, now)
    earlier_rejected = rejected_refund_ids(session, order.order_id, excluding=refund_id)
    facts = OrderFacts(
        order_id=order.order_id,
        customer_id=order.customer_id,
        plan_months=order.plan_months,
        amount_minor=order.amount_minor,
        currency=order.currency,
        paid_at=order.paid_at,
        activated_at=order.activated_at,
        already_refunded_minor=refunded_so_far(session, order.order_id, excluding=refund_id),
        payment_intent_id=order.payment_intent_id,
        earlier_rejected_refund_ids=earlier_rejected,
    )
    request = RefundRequestFacts(
        reason=body.reason,
        amount_minor=body.amount_minor,
        customer_contacted_at=contacted_at,
        first_recorded_contact_at=recorded_contact,
        legal_basis=body.legal_basis,
        requested_by=actor.actor_id,
    )
    validate_amount(body.reason, body.amount_minor, facts)  # RefundAmountError: InvalidInput with the policy's words
    workflow_input = RefundInput(
        refund_id=refund_id,
        order=facts,
        request=request,
        requester=actor,
        note=body.note,
        other_payments=_other_payments(session, order),
        customer_email=order.customer_email,
        locale=order.locale,
        params=settings.policy_parameters(),
        runtime=settings.refund_runtime(),
    )
    assessment = assess_request(request, facts, workflow_input.other_payments, workflow_input.params)
    return order, workflow_input, assessment


@use_case
def preview_refund(session: Session, settings: Settings, body: RefundCreate, actor: Actor) -> PolicyAssessment:
    """What the policy would decide on this request now, by the same checks as a real request; nothing is recorded."""
    return _assess(session, settings, body, actor, refund_id_for(actor, None), utcnow())[2]


def _other_payments(session: Session, order: Order) -> list[OtherPayment]:
    """The customer's other paid orders, for the duplicate-payment check."""
    return [
        OtherPayment(
            order_id=other.order_id,
            payment_intent_id=other.payment_intent_id,
            amount_minor=other.amount_minor,
            currency=other.currency,
            paid_at=other.paid_at,
            succeeded=True,
            refunded_minor=refunded,
        )
        for other, refunded in other_orders_refunded_so_far(session, order)
    ]


async def start_workflow(client: Client, settings: Settings, prepared: PreparedRefund) -> None:
    """Start the refund's workflow; a retry of the same request finds the one already running."""
    await start_refund_workflow(
        client, settings, prepared.row.refund_id, prepared.row.amount_minor, prepared.workflow_input
    )


async def start_refund_workflow(
    client: Client, settings: Settings, refund_id: str, amount_minor: int, data: RefundInput
) -> None:
    """Start a recorded refund's workflow, or find it already running (the request and the recovery loop call this)."""
    amount = f"{amount_minor} {data.order.currency.upper()} (minor units)"
    await client.start_workflow(
        RefundWorkflow.run,
        data,
        id=refund_workflow_id(refund_id),
        task_queue=settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # A refund id names one refund forever: never run a second workflow for it.
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.REFUND_STATUS, RefundStatus.RECEIVED.value),
                SearchAttributePair(sa.REFUND_REASON, data.request.reason.value),
                SearchAttributePair(sa.ORDER_ID, data.order.order_id),
                SearchAttributePair(sa.CUSTOMER_ID, data.order.customer_id),
                SearchAttributePair(sa.REFUND_AMOUNT, amount_minor),
                SearchAttributePair(sa.REFUND_CURRENCY, data.order.currency),
                SearchAttributePair(sa.PAYMENT_INTENT_ID, data.order.payment_intent_id or ""),
            ]
        ),
        static_summary=f"Refund {refund_id}: {data.request.reason.value}, order {data.order.order_id}",
        static_details=(
            f"**Refund** `{refund_id}` of {amount} on order `{data.order.order_id}` "
            f"(customer `{data.order.customer_id}`), requested by {data.requester.name} "
            f"for `{data.request.reason.value}`."
        ),
    )


@use_case
async def request_refund(
    database: Database,
    settings: Settings,
    client: Client,
    body: RefundCreate,
    actor: Actor,
    idempotency_key: str | None,
) -> PreparedRefund:
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
        # (services/refund_starts.py) starts it once Temporal answers, so the request is never lost nor run twice.
        log.error("refund workflow did not start", extra={"refund_id": prepared.row.refund_id, "error": str(error)})
        raise Unavailable(
            f"Refund {prepared.row.refund_id} is recorded, but the workflow service did not answer; "
            "it will start on its own as soon as the service is back. "
            "Retry with the same Idempotency-Key to follow it.",
            refund_id=prepared.row.refund_id,
        ) from error
    log.info(
        "refund requested",
        extra={"refund_id": prepared.row.refund_id, "order_id": body.order_id, "reason": body.reason.value},
    )
    return prepared


@use_case
def list_refunds(
    session: Session,
    *,
    status: RefundStatus | None = None,
    order_id: str | None = None,
    customer_id: str | None = None,
    needs_attention: bool | None = None,
    limit: int = 50,
    offset: int = 0,
    reason: RefundReason | None = None,
    currency: str | None = None,
    search: str | None = None,
    requested_by_person: str | None = None,
    requested_from: date | None = None,
    requested_to: date | None = None,
) -> tuple[list[Refund], int]:
    """Refunds, newest first, filtered by status, order, customer, needing attention, reason, currency, requester;
    `search` is a refund, order or customer id or a customer's email; the dates bound the request's day (UTC, both
    included). Answers a page and how many match."""
    query = select(Refund)
    if status is not None:
        query = query.where(Refund.status == status.value)
    if reason is not None:
        query = query.where(Refund.reason == reason.value)
    if currency:
        query = query.where(Refund.currency == currency.lower())
    if search:
        term = search.strip()
        by_email = select(Order.customer_id).where(func.lower(Order.customer_email) == term.lower())
        query = query.where(
            (col(Refund.refund_id) == term)
            | (col(Refund.order_id) == term)
            | (col(Refund.customer_id) == term)
            | col(Refund.customer_id).in_(by_email)
        )
    if requested_by_person:
        query = query.where(col(Refund.requested_by_id).in_(staff_ids_of(requested_by_person)))
    if requested_from:
        query = query.where(col(Refund.requested_at) >= datetime.combine(requested_from, time.min, UTC))
    if requested_to:
        query = query.where(
            col(Refund.requested_at) < datetime.combine(requested_to + timedelta(days=1), time.min, UTC)
        )
    if order_id:
        query = query.where(Refund.order_id == order_id)
    if customer_id:
        query = query.where(Refund.customer_id == customer_id)
    if needs_attention is not None:
        query = query.where(Refund.needs_attention == needs_attention)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Refund.requested_at).desc(), col(Refund.refund_id)).offset(offset).limit(limit)
    )
    return list(rows), total


@use_case
def read_refund(session: Session, refund_id: str) -> tuple[Refund, list[RefundEvent]]:
    """A refund as the read model holds it, with its timeline."""
    return get_refund(session, refund_id), timeline(session, refund_id)


async def update_refund(
    database: Database, client: Client, refund_id: str, update: Any, argument: Any
) -> tuple[Refund, RefundState]:
    """Send a validated update to the refund's workflow; answer the row and the state the workflow returns."""
    row = await database.atransact(lambda session: get_refund(session, refund_id))
    ended = f"refund {refund_id} is {row.status} and can no longer change"
    state = await send_update(client, row.workflow_id, update, argument, ended)
    return row, state


@use_case
async def record_troubleshooting(
    database: Database, client: Client, refund_id: str, actor: Actor, note: str, outcome: TroubleshootingOutcome
) -> tuple[Refund, RefundState]:
    """Record a troubleshooting step: in_progress, resolved (no refund) or unresolved (to approval)."""
    record = TroubleshootingRecord(actor=actor, note=note, outcome=outcome)
    return await update_refund(database, client, refund_id, RefundWorkflow.record_troubleshooting, record)


@use_case
async def record_investigation(
    database: Database, client: Client, refund_id: str, actor: Actor, finding: InvestigationFinding, note: str | None
) -> tuple[Refund, RefundState]:
    """Record whether an unauthorized transaction is confirmed."""
    record = InvestigationRecord(actor=actor, finding=finding, note=note)
    return await update_refund(database, client, refund_id, RefundWorkflow.record_investigation, record)


@use_case
async def approve(
    database: Database, client: Client, refund_id: str, actor: Actor, note: str | None
) -> tuple[Refund, RefundState]:
    """Approve; the last approval required sends the refund to Stripe."""
    return await update_refund(
        database, client, refund_id, RefundWorkflow.approve, DecisionRequest(actor=actor, note=note)
    )


@use_case
async def reject(
    database: Database, client: Client, refund_id: str, actor: Actor, note: str | None
) -> tuple[Refund, RefundState]:
    """Reject; the customer is told."""
    return await update_refund(
        database, client, refund_id, RefundWorkflow.reject, DecisionRequest(actor=actor, note=note)
    )


@use_case
async def cancel(
    database: Database, client: Client, refund_id: str, actor: Actor, note: str | None
) -> tuple[Refund, RefundState]:
    """Withdraw a refund until the Stripe call is made."""
    return await update_refund(
        database, client, refund_id, RefundWorkflow.cancel, CancelRequest(actor=actor, note=note)
    )


@use_case
async def resolve_failure(
    database: Database, client: Client, refund_id: str, actor: Actor, action: FailureAction, reference: str | None
) -> tuple[Refund, RefundState]:
    """Finance retries a failed refund or records a manual payout."""
    resolution = FailureResolution(actor=actor, action=action, reference=reference)
    return await update_refund(database, client, refund_id, RefundWorkflow.resolve_failure, resolution)
