"""The straight-through path: a not-activated order refunded automatically, settled after the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from refund_support import FINANCE, RefundStack, billable_actions

# The read model on both backends: the same flows on SQLite and PostgreSQL (see conftest).
READ_MODEL_BACKENDS = ("sqlite", "postgresql")


@pytest.mark.history
async def test_not_activated_refund_is_approved_paid_and_settled(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1999)
    response = await stack.request_refund(order["order_id"], "not_activated", note="never received the codes")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["policy_decision"]["path"] == "auto_approve"
    recorded = await stack.refund(created["refund_id"])
    assert recorded["policy_parameters"]["auto_approve_max_minor"] == stack.settings.refund_auto_approve_max_minor
    assert recorded["policy_parameters"]["policy_version"] == "2025-12-05"
    refund_id = created["refund_id"]

    settling = await stack.wait_for_status(refund_id, "settling")
    assert settling["stripe_refund_id"].startswith("re_")
    assert settling["settlement"]["expected_from"] < settling["settlement"]["expected_by"]
    stripe_refunds = await stack.stripe_refunds(order["payment_intent_id"])
    assert [r.amount for r in stripe_refunds] == [1999]
    assert stripe_refunds[0].metadata["refund_id"] == refund_id
    order_after = (await stack.api.get(f"/orders/{order['order_id']}", headers=FINANCE)).json()
    assert order_after["status"] == "refunded"

    await stack.env.fast_forward(stack.handle(refund_id), timedelta(days=16))
    outcome = await stack.handle(refund_id).result()
    assert outcome.status == "settled"
    settled = await stack.wait_for_status(refund_id, "settled")
    kinds = [entry["kind"] for entry in settled["timeline"]]
    assert kinds[0] == "requested" and kinds[-1] == "settled"
    assert [entry["seq"] for entry in settled["timeline"]] == list(range(1, len(kinds) + 1))

    history = await stack.handle(refund_id).fetch_history()
    print(f"straight-through: {len(history.events)} history events, {billable_actions(history)} billable actions")
    # The budget: a straight-through refund costs at most 9 billable actions and 30 history events.
    assert len(history.events) <= 30
    assert billable_actions(history) <= 9
