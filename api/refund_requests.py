"""Opening a refund: check it against the order and the policy, record it, start its workflow."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api.refund_schemas import RefundCreate
from core.settings import Settings
from domain.orders import OrderStatus
from domain.policy import PolicyInputError, OrderFacts, OtherPayment, PolicyAssessment, RefundRequestFacts, assess_request, validate_amount
from domain.refund_messages import RefundInput, refund_workflow_id
from domain.roles import Actor
from store.orders import OrderConflict, get_order
from store.refund_tables import Refund
from store.refunds import open_refund_request, refunded_so_far, refuse_if_open_refund
from store.tables import Order
from store.types import utcnow
from workflows import search_attributes as sa

log = logging.getLogger(__name__)
# Clocks differ a little between the agent's machine and ours; more than this in the future is a typo.
CLOCK_SKEW = timedelta(minutes=5)


class IdempotencyMismatch(Exception):
    """The Idempotency-Key was already used for a different request."""


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


def prepare(session: Session, settings: Settings, body: RefundCreate, actor: Actor, idempotency_key: str | None) -> PreparedRefund:
    """Validate the request against the order and the policy, and record it (or find the earlier identical one)."""
    refund_id = refund_id_for(actor, idempotency_key)
    request_print = fingerprint(body)
    existing = session.get(Refund, refund_id) if idempotency_key else None
    if existing is not None and existing.request_fingerprint != request_print:
        raise IdempotencyMismatch(f"Idempotency-Key '{idempotency_key}' was already used for a different refund request ({refund_id})")
    order = get_order(session, body.order_id)
    if order.status in (OrderStatus.SUSPENDED, OrderStatus.CHARGED_BACK):
        raise OrderConflict(f"order {order.order_id} is {order.status} after a chargeback; refunds are handled through the dispute")
    if existing is None:
        # Before the amount checks: a client retrying without a key must learn the refund its first request opened,
        # not that "nothing is left to refund" because that refund is already moving the money.
        refuse_if_open_refund(session, order.order_id)
    now = utcnow()
    contacted_at = body.customer_contacted_at or now
    if contacted_at > now + CLOCK_SKEW:
        raise PolicyInputError("contact_in_future", "customer_contacted_at is in the future; give the time the customer contacted us")
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
    )
    request = RefundRequestFacts(
        reason=body.reason,
        amount_minor=body.amount_minor,
        customer_contacted_at=contacted_at,
        legal_basis=body.legal_basis,
        requested_by=actor.actor_id,
    )
    validate_amount(body.reason, body.amount_minor, facts)  # RefundAmountError → 422 with the policy's words
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
    if existing is not None:
        return PreparedRefund(existing, workflow_input, assessment, replayed=True)
    row = Refund(
        refund_id=refund_id,
        workflow_id=refund_workflow_id(refund_id),
        order_id=order.order_id,
        customer_id=order.customer_id,
        reason=body.reason.value,
        status="received",
        amount_minor=assessment.amount_minor,
        currency=order.currency,
        requested_by_id=actor.actor_id,
        requested_by_name=actor.name,
        requested_at=now,
        customer_contacted_at=contacted_at,
        note=body.note,
        legal_basis=request.legal_basis,
        idempotency_key=idempotency_key,
        request_fingerprint=request_print,
        policy_parameters=workflow_input.params.model_dump(mode="json"),
        workflow_input=workflow_input.model_dump(mode="json"),
    )
    open_refund_request(session, row)
    return PreparedRefund(row, workflow_input, assessment, replayed=False)


def _other_payments(session: Session, order: Order) -> list[OtherPayment]:
    """The customer's other paid orders, for the duplicate-payment check."""
    others = session.exec(select(Order).where(Order.customer_id == order.customer_id, Order.order_id != order.order_id))
    return [
        OtherPayment(
            order_id=other.order_id,
            payment_intent_id=other.payment_intent_id,
            amount_minor=other.amount_minor,
            currency=other.currency,
            paid_at=other.paid_at,
            succeeded=True,
            refunded_minor=refunded_so_far(session, other.order_id),
        )
        for other in others
    ]


async def start_workflow(client: Client, settings: Settings, prepared: PreparedRefund) -> None:
    """Start the refund's workflow; a retry of the same request finds the one already running."""
    await start_refund_workflow(client, settings, prepared.row.refund_id, prepared.row.amount_minor, prepared.workflow_input)


async def start_refund_workflow(client: Client, settings: Settings, refund_id: str, amount_minor: int, data: RefundInput) -> None:
    """Start a recorded refund's workflow, or find it already running (the request and the recovery loop both call this)."""
    from workflows.refund import RefundWorkflow

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
                SearchAttributePair(sa.REFUND_STATUS, "received"),
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
            f"(customer `{data.order.customer_id}`), requested by {data.requester.name} for `{data.request.reason.value}`."
        ),
    )
