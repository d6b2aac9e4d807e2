"""Replays saved workflow histories: a code change that would break running workflows fails here.

Histories come from the tests marked `@pytest.mark.history`; add new ones (never overwrite old ones once shipped,
or the check loses its point) with `SAVE_HISTORIES=1 make test PYTEST_ARGS="tests/refunds -m history"`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import DATA_CONVERTER
from worker.build import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent / "histories"
# Paths whose histories must exist, so deleting them cannot make this test pass vacuously.
REQUIRED = {
    "not_activated_refund_is_approved_paid_and_settled__RefundWorkflow_0",
    "error_after_stripe_acted_gives_one_refund__RefundWorkflow_0",
    "large_refund_needs_a_second_approval_by_finance__RefundWorkflow_0",
    "technical_issue_unresolved_goes_to_approval_and_is_paid__RefundWorkflow_0",
    "refund_failed_after_success_then_paid_manually__RefundWorkflow_0",
    "undecided_approval_escalates_then_expires_telling_the_customer__RefundWorkflow_0",
    "support_cancels_before_stripe_is_called__RefundWorkflow_0",
    "open_refund_is_cancelled_before_stripe__RefundWorkflow_0",
    "won_reinstates_and_restriction_stays_until_lifted__DisputeWorkflow_0",
    "lost_marks_orders_charged_back__DisputeWorkflow_0",
    # Stripe decides (issue 9): unknown outcomes looked up, finance asks Stripe first, settlement re-reads Stripe.
    "not_activated_refund_verified_with_stripe_then_settled__RefundWorkflow_0",
    "call_that_never_answered_is_resolved_from_stripe_records__RefundWorkflow_0",
    "unreachable_stripe_fails_saying_no_money_moved_and_finance_retries__RefundWorkflow_0",
    "finance_retry_adopts_the_refund_stripe_made_after_we_stopped_waiting__RefundWorkflow_0",
    "manual_payout_is_refused_while_stripe_pays_the_customer__RefundWorkflow_0",
    "settlement_rereads_stripe_and_reopens_a_late_failure_no_webhook_reported__RefundWorkflow_0",
}
SAVED = sorted(HISTORIES.glob("*.json"))


def test_required_histories_are_saved() -> None:
    assert REQUIRED <= {path.stem for path in SAVED}


@pytest.mark.parametrize("path", SAVED, ids=[path.stem for path in SAVED])
async def test_history_replays(path: Path) -> None:
    workflow_id = json.loads(path.read_text())["events"][0]["workflowExecutionStartedEventAttributes"].get(
        "workflowId", path.stem
    )
    history = WorkflowHistory.from_json(workflow_id, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)
