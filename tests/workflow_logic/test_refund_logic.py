"""The refund workflow's state machine with fake activities: every path, each in a fraction of a second."""

from __future__ import annotations

from datetime import timedelta

import pytest
from logic_support import Logic
from support import ADMIN, APPROVER, APPROVER_2, FINANCE, SUPPORT, kinds, refund_input, start_refund, wait_for
from temporalio.client import WorkflowUpdateFailedError

from domain.orders import OrderStatus
from domain.policy import RuleCode, clause
from domain.refund_messages import (
    CancelRequest,
    DecisionRequest,
    DisputeOpened,
    FailureResolution,
    InvestigationRecord,
    Notification,
    SettlementConfirmation,
    StripeRefundEvent,
    TroubleshootingRecord,
)
from domain.refunds import FailureAction, InvestigationFinding, RefundReason, RefundStatus, TroubleshootingOutcome
from domain.roles import Role, SystemRole
from workflows.refund import RefundWorkflow

S = RefundStatus


def notifications(logic: Logic) -> list[Notification]:
    """Every customer email the workflow asked the read model to send, in order."""
    return [n for message in logic.fakes.published for n in message.notifications]


def refusal(error: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> str | None:
    """The refusal code of a refused update."""
    return getattr(error.value.cause, "type", None)


async def test_auto_approved_refund_is_paid_and_settles_when_its_window_ends(logic: Logic) -> None:
    data = refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED)
    handle = await start_refund(logic.env.client, data, logic.task_queue)  # time skipping: timers fire at once
    outcome = await handle.result()
    assert outcome.status is S.SETTLED and outcome.stripe_refund_id == "re_fake_1"
    # Stripe is read once more just before the refund is recorded settled.
    assert logic.fakes.stripe_calls == [f"create {data.refund_id} attempt 1", "fetch re_fake_1"]
    state = await handle.query(RefundWorkflow.state)
    assert kinds(state) == ["requested", "assessed", "refund_started", "stripe_refund_created", "settled"]
    assert [a.acting_as for a in state.approvals] == [SystemRole.SYSTEM]
    assert state.settled_at is not None and state.settlement is not None
    assert OrderStatus.REFUNDED in [m.order_status for m in logic.fakes.published]
    assert notifications(logic) == [Notification.RECEIVED, Notification.APPROVED, Notification.ISSUED]


async def test_approved_by_an_approver_then_paid(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    await wait_for(handle, S.AWAITING_APPROVAL)
    state = await handle.execute_update(RefundWorkflow.approve, DecisionRequest(actor=APPROVER, note="ok"))
    assert state.status is S.APPROVED and state.approvals[0].acting_as is Role.APPROVER
    assert (await wait_for(handle, S.SETTLING)).stripe_status == "succeeded"
    await logic.env.fast_forward(handle, timedelta(days=20))
    assert (await handle.result()).status is S.SETTLED


async def test_large_refund_needs_a_second_approval_which_admin_gives_as_finance(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.WRONG_PLAN, amount_minor=30000)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.AWAITING_APPROVAL)
    first = await handle.execute_update(RefundWorkflow.approve, DecisionRequest(actor=APPROVER))
    assert first.status is S.AWAITING_APPROVAL and first.approvals_required == 2
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(RefundWorkflow.approve, DecisionRequest(actor=APPROVER_2))
    assert refusal(again) == "finance_required"
    second = await handle.execute_update(RefundWorkflow.approve, DecisionRequest(actor=ADMIN))
    assert second.status is S.APPROVED and [a.acting_as for a in second.approvals] == [Role.APPROVER, Role.FINANCE]


async def test_separation_of_duties_and_roles_are_checked_before_anything_is_recorded(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    before = await wait_for(handle, S.AWAITING_APPROVAL)
    with pytest.raises(WorkflowUpdateFailedError) as own:
        await handle.execute_update(
            RefundWorkflow.approve, DecisionRequest(actor=SUPPORT.model_copy(update={"roles": (Role.ADMIN,)}))
        )
    assert refusal(own) == "separation_of_duties"
    with pytest.raises(WorkflowUpdateFailedError) as role:
        await handle.execute_update(RefundWorkflow.reject, DecisionRequest(actor=SUPPORT))
    assert refusal(role) == "forbidden_role"
    assert kinds(await handle.query(RefundWorkflow.state)) == kinds(before)


async def test_rejected_refund_tells_the_customer(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    await wait_for(handle, S.AWAITING_APPROVAL)
    await handle.execute_update(RefundWorkflow.reject, DecisionRequest(actor=FINANCE, note="outside policy"))
    assert (await handle.result()).status is S.REJECTED
    assert notifications(logic)[-1] is Notification.REJECTED and logic.fakes.stripe_calls == []


async def test_a_request_the_policy_does_not_cover_is_rejected_by_the_assessment(logic: Logic) -> None:
    handle = await start_refund(
        logic.env.client, refund_input(logic.task_queue, RefundReason.CHANGED_MIND), logic.task_queue
    )
    assert (await handle.result()).status is S.REJECTED
    assert kinds(await handle.query(RefundWorkflow.state)) == ["requested", "assessed"]


async def test_cancelled_before_stripe_is_called(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    await wait_for(handle, S.AWAITING_APPROVAL)
    await handle.execute_update(RefundWorkflow.cancel, CancelRequest(actor=SUPPORT, note="customer withdrew"))
    assert (await handle.result()).status is S.CANCELLED
    assert notifications(logic)[-1] is Notification.CANCELLED and logic.fakes.stripe_calls == []


async def test_no_cancel_once_stripe_was_called(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED), logic.task_queue
        )
    await wait_for(handle, S.SETTLING)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(RefundWorkflow.cancel, CancelRequest(actor=SUPPORT))
    assert refusal(refused) == "wrong_state"


async def test_troubleshooting_in_progress_then_resolved_cites_its_clause(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.TECHNICAL_ISSUE, activated=True)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.INVESTIGATING)
    step = TroubleshootingRecord(actor=SUPPORT, note="cleared the cache", outcome=TroubleshootingOutcome.IN_PROGRESS)
    assert (await handle.execute_update(RefundWorkflow.record_troubleshooting, step)).status is S.INVESTIGATING
    done = TroubleshootingRecord(actor=SUPPORT, note="works again", outcome=TroubleshootingOutcome.RESOLVED)
    state = await handle.execute_update(RefundWorkflow.record_troubleshooting, done)
    assert state.status is S.RESOLVED
    entries = [e for e in state.timeline if e.kind == "troubleshooting"]
    assert [e.status for e in entries] == [S.INVESTIGATING, S.RESOLVED]
    assert entries[-1].detail == {
        "outcome": "resolved",
        "rule": RuleCode.TECHNICAL_ISSUE.value,
        "clause": clause(RuleCode.TECHNICAL_ISSUE),
    }
    assert (await handle.result()).status is S.RESOLVED


async def test_troubleshooting_unresolved_goes_to_approval(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.TECHNICAL_ISSUE, activated=True)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.INVESTIGATING)
    record = TroubleshootingRecord(actor=ADMIN, note="still broken", outcome=TroubleshootingOutcome.UNRESOLVED)
    state = await handle.execute_update(RefundWorkflow.record_troubleshooting, record)
    assert state.status is S.AWAITING_APPROVAL and state.timeline[-1].detail["rule"] == RuleCode.TECHNICAL_ISSUE.value


async def test_troubleshooting_left_undecided_escalates_to_an_approver(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.TECHNICAL_ISSUE, activated=True)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.INVESTIGATING)
    await logic.env.fast_forward(handle, timedelta(hours=49))
    state = await wait_for(handle, S.AWAITING_APPROVAL)
    assert state.escalated and kinds(state)[-1] == "escalated"


@pytest.mark.parametrize(
    ("finding", "status", "rule"),
    [
        (InvestigationFinding.CONFIRMED, S.AWAITING_APPROVAL, RuleCode.UNAUTHORIZED_TRANSACTION),
        (InvestigationFinding.NOT_CONFIRMED, S.REJECTED, RuleCode.UNAUTHORIZED_TRANSACTION),
    ],
)
async def test_investigation_finding_decides_and_cites_its_rule(
    logic: Logic, finding: InvestigationFinding, status: RefundStatus, rule: RuleCode
) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.UNAUTHORIZED_TRANSACTION), logic.task_queue
        )
    await wait_for(handle, S.INVESTIGATING)
    state = await handle.execute_update(
        RefundWorkflow.record_investigation, InvestigationRecord(actor=APPROVER, finding=finding)
    )
    assert state.status is status
    assert state.timeline[-1].detail == {"finding": finding.value, "rule": rule.value, "clause": clause(rule)}


async def test_investigation_left_open_is_escalated_once_and_keeps_waiting(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.UNAUTHORIZED_TRANSACTION), logic.task_queue
        )
    await wait_for(handle, S.INVESTIGATING)
    await logic.env.fast_forward(handle, timedelta(hours=49))
    state = await handle.query(RefundWorkflow.state)
    assert state.status is S.INVESTIGATING and state.escalated and kinds(state).count("escalated") == 1


async def test_undecided_approval_is_escalated_then_expires(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    await wait_for(handle, S.AWAITING_APPROVAL)
    await logic.env.fast_forward(handle, timedelta(hours=25))
    reminded = await handle.query(RefundWorkflow.state)
    assert reminded.status is S.AWAITING_APPROVAL and reminded.escalated
    await logic.env.fast_forward(handle, timedelta(days=7))
    assert (await handle.result()).status is S.EXPIRED
    assert notifications(logic)[-1] is Notification.EXPIRED


async def test_permanent_stripe_refusal_fails_then_finance_retries(logic: Logic) -> None:
    logic.fakes.create_outcomes = ["charge_disputed", "succeeded"]
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    failed = await wait_for(handle, S.FAILED)
    assert failed.failure_reason == "charge_disputed: Stripe refused: charge_disputed"
    retry = FailureResolution(actor=FINANCE, action=FailureAction.RETRY)
    assert (await handle.execute_update(RefundWorkflow.resolve_failure, retry)).status is S.REFUNDING
    settling = await wait_for(handle, S.SETTLING)
    assert settling.stripe_attempt == 2 and settling.stripe_refund_id == "re_fake_2"
    # Stripe is asked for a refund of ours before the second attempt is made.
    assert logic.fakes.stripe_calls == [
        f"create {data.refund_id} attempt 1",
        f"find {data.refund_id}",
        f"create {data.refund_id} attempt 2",
    ]


async def test_finance_retry_follows_a_refund_stripe_already_holds(logic: Logic) -> None:
    logic.fakes.create_outcomes = ["charge_disputed"]
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.FAILED)
    logic.fakes.found_refunds = [logic.fakes._snapshot(1, "succeeded", data.order.amount_minor, "eur")]
    await handle.execute_update(
        RefundWorkflow.resolve_failure, FailureResolution(actor=FINANCE, action=FailureAction.RETRY)
    )
    settling = await wait_for(handle, S.SETTLING)
    assert settling.stripe_refund_id == "re_fake_1" and settling.stripe_attempt == 1
    assert logic.fakes.stripe_calls == [f"create {data.refund_id} attempt 1", f"find {data.refund_id}"]


async def test_manual_payout_is_refused_while_stripe_holds_a_refund_of_ours(logic: Logic) -> None:
    logic.fakes.create_outcomes = ["card_declined"]
    with logic.env.with_time_skipping_disabled():
        data = refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED)
        handle = await start_refund(logic.env.client, data, logic.task_queue)
    await wait_for(handle, S.FAILED)
    logic.fakes.found_refunds = [logic.fakes._snapshot(1, "pending", data.order.amount_minor, "eur")]
    payout = FailureResolution(actor=FINANCE, action=FailureAction.MANUAL_PAYOUT, reference="SEPA-43")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(RefundWorkflow.resolve_failure, payout)
    assert refusal(refused) == "paid_through_stripe"
    following = await wait_for(handle, S.REFUNDING)
    assert following.stripe_refund_id == "re_fake_1" and following.resolution is None


async def test_failed_refund_paid_out_by_hand_by_admin(logic: Logic) -> None:
    logic.fakes.create_outcomes = ["card_declined"]
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED), logic.task_queue
        )
    await wait_for(handle, S.FAILED)
    with pytest.raises(WorkflowUpdateFailedError) as missing:
        await handle.execute_update(
            RefundWorkflow.resolve_failure, FailureResolution(actor=FINANCE, action=FailureAction.MANUAL_PAYOUT)
        )
    assert refusal(missing) == "missing_reference"
    payout = FailureResolution(actor=ADMIN, action=FailureAction.MANUAL_PAYOUT, reference="SEPA-42")
    state = await handle.execute_update(RefundWorkflow.resolve_failure, payout)
    assert state.status is S.SETTLED and state.resolution == "manual payout SEPA-42"
    assert (await handle.result()).status is S.SETTLED
    assert logic.fakes.published[-1].order_status is OrderStatus.REFUNDED
    # The customer, told the refund failed, is told it was paid; the timeline says how, with the reference.
    assert notifications(logic)[-2:] == [Notification.FAILED, Notification.PAID_BY_HAND]
    assert state.timeline[-1].note == "paid to the customer by hand (reference SEPA-42)"


async def test_finance_confirms_the_settlement_before_the_window_ends(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED), logic.task_queue
        )
    await wait_for(handle, S.SETTLING)
    with pytest.raises(WorkflowUpdateFailedError) as role:
        await handle.execute_update(RefundWorkflow.confirm_settlement, SettlementConfirmation(actor=APPROVER))
    assert refusal(role) == "forbidden_role"
    state = await handle.execute_update(
        RefundWorkflow.confirm_settlement, SettlementConfirmation(actor=FINANCE, note="on statement")
    )
    assert state.status is S.SETTLED and kinds(state)[-1] == "settlement_confirmed"
    assert (await handle.result()).status is S.SETTLED


async def test_stripe_failure_after_success_reopens_the_order_for_finance(logic: Logic) -> None:
    logic.fakes.fetch_status = "failed"
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED), logic.task_queue
        )
    await wait_for(handle, S.SETTLING)
    await handle.signal(
        RefundWorkflow.stripe_refund_event,
        StripeRefundEvent(event_id="evt_1", event_type="refund.failed", stripe_refund_id="re_fake_1", created=0),
    )
    failed = await wait_for(handle, S.FAILED)
    assert failed.failure_reason == "lost_or_stolen_card"
    assert logic.fakes.published[-1].order_status is OrderStatus.PAID  # the order is back where it was


async def test_pending_refund_is_polled_until_stripe_says_succeeded(logic: Logic) -> None:
    logic.fakes.create_outcomes = ["pending"]
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.NOT_ACTIVATED), logic.task_queue
        )
    await wait_for(handle, S.REFUNDING)
    await logic.env.fast_forward(handle, timedelta(minutes=31))
    assert (await wait_for(handle, S.SETTLING)).stripe_status == "succeeded"
    assert any(call.startswith("fetch re_fake_1") for call in logic.fakes.stripe_calls)


async def test_chargeback_before_stripe_cancels_the_refund(logic: Logic) -> None:
    with logic.env.with_time_skipping_disabled():
        handle = await start_refund(
            logic.env.client, refund_input(logic.task_queue, RefundReason.WRONG_PLAN), logic.task_queue
        )
    opened = await wait_for(handle, S.AWAITING_APPROVAL)
    await handle.signal(RefundWorkflow.dispute_opened, DisputeOpened(dispute_id="dp_1", opened_at=opened.requested_at))
    assert (await handle.result()).status is S.CANCELLED
    state = await handle.query(RefundWorkflow.state)
    assert kinds(state)[-1] == "cancelled_by_dispute" and state.dispute_id == "dp_1"
