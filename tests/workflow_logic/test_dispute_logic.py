"""The dispute workflow's state machine with fake activities: prior contact, evidence, finance's actions, outcomes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from logic_support import Logic
from support import APPROVER, FINANCE, refund_input, start_refund, wait_for
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.dispute_messages import (
    DisputeContext,
    DisputeEvent,
    DisputeInput,
    DisputeState,
    FinanceDisputeAction,
    StripeDisputeSnapshot,
)
from domain.disputes import ContactFact, DisputeStatus, OrderEvidence
from domain.refunds import RefundReason, RefundStatus
from workflows.dispute import DisputeWorkflow

D = DisputeStatus


def snapshot(status: DisputeStatus = D.NEEDS_RESPONSE) -> StripeDisputeSnapshot:
    """A fraud dispute opened now, evidence due in a week."""
    now = datetime.now(UTC)
    return StripeDisputeSnapshot(
        dispute_id=f"dp_{uuid.uuid4().hex[:10]}",
        charge_id="ch_logic",
        payment_intent_id="pi_logic",
        amount_minor=3000,
        currency="eur",
        reason="fraudulent",
        status=status,
        due_by=now + timedelta(days=7),
        opened_at=now,
    )


def context(*, contacted: bool, open_refunds: list[str] | None = None) -> DisputeContext:
    """Our records of the disputed payment: one order, and a support contact before the dispute if `contacted`."""
    paid = datetime.now(UTC) - timedelta(days=3)
    order = OrderEvidence(
        order_id="ord-logic", plan_months=3, amount="30.00 EUR", paid_at=paid, customer_email="c@example.com"
    )
    contacts = [ContactFact(at=paid + timedelta(hours=2), kind="contact", reference="email")] if contacted else []
    return DisputeContext(
        customer_id="cus-logic",
        order_ids=["ord-logic"],
        orders=[order],
        contacts=contacts,
        open_refund_ids=open_refunds or [],
    )


async def start_dispute(logic: Logic, dispute: StripeDisputeSnapshot) -> WorkflowHandle[DisputeWorkflow, DisputeState]:
    """Start the dispute's workflow (time skipping off: the test moves the clock)."""
    with logic.env.with_time_skipping_disabled():
        return await logic.env.client.start_workflow(
            DisputeWorkflow.run,
            DisputeInput(dispute=dispute, stripe_task_queue=logic.task_queue),
            id=f"dispute-{dispute.dispute_id}",
            task_queue=logic.task_queue,
        )


async def wait_kind(handle: WorkflowHandle[DisputeWorkflow, DisputeState], kind: str) -> DisputeState:
    """Query until the timeline has an entry of `kind` (bounded by attempts)."""
    for _ in range(300):
        state = await handle.query(DisputeWorkflow.state)
        if kind in [e.kind for e in state.timeline]:
            return state
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {kind} in {[e.kind for e in state.timeline]}")


def outcome(dispute: StripeDisputeSnapshot, status: DisputeStatus) -> DisputeEvent:
    """Stripe's event closing the dispute with `status`."""
    return DisputeEvent(
        event_id=f"evt_{status}",
        event_type="charge.dispute.closed",
        dispute=dispute.model_copy(update={"status": status}),
    )


async def test_no_prior_contact_suspends_submits_evidence_before_the_deadline_and_a_win_reinstates(
    logic: Logic,
) -> None:
    logic.fakes.context = context(contacted=False)
    dispute = snapshot()
    handle = await start_dispute(logic, dispute)
    state = await wait_kind(handle, "evidence_scheduled")
    assert state.suspended and state.decision is not None and not state.decision.prior_contact
    effects = logic.fakes.disputes_published[0].effects
    assert effects.suspend_order_ids == ["ord-logic"] and effects.restrict_customer_id == "cus-logic"
    await logic.env.fast_forward(handle, timedelta(days=6))
    submitted = await wait_kind(handle, "evidence_submitted")
    assert submitted.evidence_submitted_at is not None and logic.fakes.stripe_calls[0].startswith(
        f"submit {dispute.dispute_id}"
    )
    await handle.signal(DisputeWorkflow.dispute_event, outcome(dispute, D.WON))
    final = await handle.result()
    assert final.outcome == "won" and final.timeline[-1].kind == "reinstated"
    assert logic.fakes.disputes_published[-1].effects.reinstate_order_ids == ["ord-logic"]


async def test_prior_contact_keeps_access_and_finance_accepting_charges_the_order_back(logic: Logic) -> None:
    logic.fakes.context = context(contacted=True)
    dispute = snapshot()
    handle = await start_dispute(logic, dispute)
    state = await wait_kind(handle, "evidence_scheduled")
    assert not state.suspended and [e.kind for e in state.timeline][:2] == ["opened", "prior_contact"]
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(DisputeWorkflow.accept, FinanceDisputeAction(actor=APPROVER))
    assert getattr(refused.value.cause, "type", None) == "forbidden_role"
    # Stripe holds its answer, so the workflow is still running (not completed) when finance tries to act again.
    logic.fakes.accept_answers.clear()
    await handle.execute_update(DisputeWorkflow.accept, FinanceDisputeAction(actor=FINANCE))
    with pytest.raises(WorkflowUpdateFailedError) as twice:
        await handle.execute_update(DisputeWorkflow.submit_evidence, FinanceDisputeAction(actor=FINANCE))
    assert getattr(twice.value.cause, "type", None) == "wrong_state"
    logic.fakes.accept_answers.set()
    final = await handle.result()
    assert final.outcome == "lost" and logic.fakes.stripe_calls == [f"accept {dispute.dispute_id}"]
    assert logic.fakes.disputes_published[-1].effects.charged_back_order_ids == ["ord-logic"]


async def test_finance_submits_early_with_its_own_text_and_a_closed_inquiry_ends_it(logic: Logic) -> None:
    logic.fakes.context = context(contacted=True)
    dispute = snapshot()
    handle = await start_dispute(logic, dispute)
    await wait_kind(handle, "evidence_scheduled")
    await handle.execute_update(
        DisputeWorkflow.submit_evidence, FinanceDisputeAction(actor=FINANCE, uncategorized_text="logs attached")
    )
    await wait_kind(handle, "evidence_submitted")
    assert "uncategorized_text" in logic.fakes.stripe_calls[0]
    await handle.signal(DisputeWorkflow.dispute_event, outcome(dispute, D.WARNING_CLOSED))
    final = await handle.result()
    assert final.timeline[-1].kind == "closed" and final.timeline[-1].actor.actor_id == "system"


async def test_a_dispute_on_no_order_of_ours_is_only_followed(logic: Logic) -> None:
    dispute = snapshot(status=D.UNDER_REVIEW)
    handle = await start_dispute(logic, dispute)
    state = await wait_kind(handle, "no_order")
    assert not state.suspended and logic.fakes.stripe_calls == []
    await handle.signal(DisputeWorkflow.dispute_event, outcome(dispute, D.LOST))
    assert (await handle.result()).outcome == "lost"


async def test_an_open_refund_on_the_payment_is_stopped_before_stripe(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.WRONG_PLAN)
        refund = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(refund, RefundStatus.AWAITING_APPROVAL)
    logic.fakes.context = context(contacted=True, open_refunds=[data.refund_id])
    dispute = snapshot()
    handle = await start_dispute(logic, dispute)
    state = await wait_kind(handle, "refund_notified")
    assert state.refund_ids == [data.refund_id]
    assert (await refund.result()).status is RefundStatus.CANCELLED
