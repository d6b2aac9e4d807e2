"""Only calls the API signed reach a workflow: a forged approver, another key or a forged start change nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from refund_support import RefundStack
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from core.call_signing import signing
from domain.actor_signature import UNSIGNED_CALL
from domain.refund_messages import DecisionRequest, RefundInput
from domain.roles import Actor, Role
from workflows.refund import RefundWorkflow

FORGED_APPROVER = Actor(actor_id="stf_forged", name="mallory", roles=(Role.APPROVER, Role.FINANCE))


def _refused_as_unsigned(error: BaseException) -> str:
    """The worker's refusal message, after checking it is the unsigned-call refusal."""
    cause = error.__cause__
    assert isinstance(cause, ApplicationError) and cause.type == UNSIGNED_CALL, repr(cause)
    return cause.message


@pytest.mark.parametrize("client_kind", ["unsigned", "other_key"])
async def test_a_forged_approval_is_refused_and_nothing_is_paid(stack: RefundStack, client_kind: str) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    raw: Client = stack.env.client
    forger = raw if client_kind == "unsigned" else signing(raw, b"x" * 40, timedelta(minutes=5))
    handle = forger.get_workflow_handle_for(RefundWorkflow.run, f"refund-{refund['refund_id']}")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(RefundWorkflow.approve, DecisionRequest(actor=FORGED_APPROVER))

    message = _refused_as_unsigned(refused.value)
    assert ("was not signed" if client_kind == "unsigned" else "signature made for another call") in message
    state = await stack.handle(refund["refund_id"]).query(RefundWorkflow.state)
    assert state.status == "awaiting_approval" and state.approvals == []
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


async def test_a_forged_start_fails_before_anything_happens(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    history = await stack.handle(refund["refund_id"]).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    genuine = stack.client.data_converter.payload_converter.from_payload(started.input.payloads[0], RefundInput)
    # The same request under a new id, started by a client without the key.
    forged = genuine.model_copy(update={"refund_id": f"rf-forged-{uuid.uuid4().hex[:8]}"})
    raw: Client = stack.env.client

    handle = await raw.start_workflow(
        RefundWorkflow.run, forged, id=f"refund-{forged.refund_id}", task_queue=stack.settings.temporal_task_queue
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert "was not signed" in _refused_as_unsigned(failed.value)
    events = (await handle.fetch_history()).events
    assert not [e for e in events if e.HasField("activity_task_scheduled_event_attributes")]
