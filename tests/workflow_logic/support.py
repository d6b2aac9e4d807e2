"""Builders and waits for the workflow logic tests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import WorkflowHandle

from domain.policy import OrderFacts, PolicyParameters, RefundRequestFacts
from domain.refund_messages import RefundInput, RefundOutcome, RefundRuntime, RefundState, refund_workflow_id
from domain.refunds import RefundReason, RefundStatus
from domain.roles import Actor, Role
from workflows.refund import RefundWorkflow

SUPPORT = Actor(actor_id="stf_support", name="Sam Support", roles=(Role.SUPPORT,))
APPROVER = Actor(actor_id="stf_approver", name="Alice Approver", roles=(Role.APPROVER,))
APPROVER_2 = Actor(actor_id="stf_approver_2", name="Bob Approver", roles=(Role.APPROVER,))
FINANCE = Actor(actor_id="stf_finance", name="Fred Finance", roles=(Role.FINANCE,))
ADMIN = Actor(actor_id="stf_admin", name="Root Admin", roles=(Role.ADMIN,))


def refund_input(
    task_queue: str, reason: RefundReason, *, amount_minor: int = 3000, activated: bool = False
) -> RefundInput:
    """A refund requested by support an hour after payment, its Stripe calls on the test's own queue."""
    paid_at = datetime.now(UTC) - timedelta(days=1)
    order = OrderFacts(
        order_id=f"ord-{uuid.uuid4().hex[:8]}",
        customer_id="cus-logic",
        plan_months=3,
        amount_minor=amount_minor,
        currency="eur",
        paid_at=paid_at,
        activated_at=paid_at if activated else None,
        payment_intent_id="pi_logic",
    )
    request = RefundRequestFacts(
        reason=reason, customer_contacted_at=paid_at + timedelta(hours=1), requested_by=SUPPORT.actor_id
    )
    return RefundInput(
        refund_id=f"rf_{uuid.uuid4().hex[:12]}",
        order=order,
        request=request,
        requester=SUPPORT,
        customer_email="c@example.com",
        params=PolicyParameters(),
        runtime=RefundRuntime(stripe_task_queue=task_queue, status_poll_interval=timedelta(minutes=30)),
    )


async def wait_for(handle: WorkflowHandle[Any, Any], *statuses: RefundStatus, attempts: int = 300) -> RefundState:
    """Query the refund until it is in one of `statuses` (bounded by attempts, not by time)."""
    for _ in range(attempts):
        state = await handle.query(RefundWorkflow.state)
        if state.status in statuses:
            return state
        await asyncio.sleep(0.01)
    raise AssertionError(f"refund is {state.status}, not {statuses}: {[e.kind for e in state.timeline]}")


def kinds(state: RefundState) -> list[str]:
    """The refund's timeline as its step kinds."""
    return [entry.kind for entry in state.timeline]


async def start_refund(
    client: Any, data: RefundInput, task_queue: str
) -> WorkflowHandle[RefundWorkflow, RefundOutcome]:
    """Start the refund's workflow on the test's queue."""
    return await client.start_workflow(
        RefundWorkflow.run, data, id=refund_workflow_id(data.refund_id), task_queue=task_queue
    )
