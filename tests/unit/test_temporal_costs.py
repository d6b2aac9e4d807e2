"""The cost counter over saved histories: what Temporal Cloud bills, and what it exempts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from benchmarks.temporal_costs import billable_actions

HISTORIES = Path(__file__).resolve().parent.parent / "histories"


def _load(stem: str) -> WorkflowHistory:
    text = (HISTORIES / f"{stem}.json").read_text()
    return WorkflowHistory.from_json(json.loads(text)["events"][0].get("workflowId", stem), text)


@pytest.mark.parametrize(
    "stem",
    [
        "not_activated_refund_is_approved_paid_and_settled__RefundWorkflow_0",  # before the settlement re-read
        "not_activated_refund_verified_with_stripe_then_settled__RefundWorkflow_0",  # with it, behind a patch
    ],
)
def test_a_straight_through_refund_costs_nine_actions(stem: str) -> None:
    # start, 3 upserts (refunding, settling, settled), the Stripe call, the settlement timer, 3 local-activity tasks
    assert billable_actions(_load(stem)) == 9


def test_patch_markers_and_their_change_version_upsert_are_not_billed() -> None:
    history = _load("not_activated_refund_verified_with_stripe_then_settled__RefundWorkflow_0")
    kept = [e for e in history.events if e.marker_recorded_event_attributes.marker_name != "core_patch"]
    patch_upserts = [
        e
        for e in kept
        if set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        == {"TemporalChangeVersion"}
    ]
    assert patch_upserts, "the saved history should carry the patch's TemporalChangeVersion upsert"
    assert len(kept) < len(history.events)
    without_patch = WorkflowHistory(history.workflow_id, [e for e in kept if e not in patch_upserts])
    assert billable_actions(without_patch) == billable_actions(history)
