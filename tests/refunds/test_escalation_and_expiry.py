"""Waiting too long: approvers reminded after 24 h, undecided ones expire in 7 days, stale troubleshooting escalates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from refund_support import APPROVER, RefundStack, entries


@pytest.mark.history
async def test_undecided_approval_escalates_then_expires_telling_the_customer(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    refund_id = refund["refund_id"]
    assert refund["escalated"] is False
    handle = stack.handle(refund_id)

    await stack.env.fast_forward(handle, timedelta(hours=25))
    escalated = await stack.wait_until(refund_id, "escalated", lambda r: r["escalated"])
    assert escalated["status"] == "awaiting_approval"
    [step] = entries(escalated, "escalated")
    assert step["actor_id"] == "system" and step["note"] == "no decision after 24 h; approvers reminded"
    assert "refund_expired" not in await stack.emails(refund_id)

    await stack.env.fast_forward(handle, timedelta(days=7))
    assert (await handle.result()).status == "expired"
    expired = await stack.wait_for_status(refund_id, "expired")
    [step] = entries(expired, "expired")
    assert step["actor_id"] == "system" and step["status"] == "expired" and step["note"] == "no decision within 168 h"
    assert await stack.emails(refund_id) == ["refund_received", "refund_expired"]
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []
    # Expired is final: the order may get a new request.
    assert (await stack.request_refund(order["order_id"], "wrong_plan")).status_code == 201


async def test_an_escalated_refund_can_still_be_approved(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    await stack.env.fast_forward(stack.handle(refund["refund_id"]), timedelta(hours=30))
    response = await stack.act(refund["refund_id"], "approve", APPROVER)
    assert response.status_code == 200, response.text
    settling = await stack.wait_for_status(refund["refund_id"], "settling")
    assert settling["escalated"] is True and len(await stack.stripe_refunds(order["payment_intent_id"])) == 1


@pytest.mark.history
async def test_troubleshooting_left_undecided_escalates_to_approval(stack: RefundStack) -> None:
    order = await stack.paid_order(activated=True)
    refund = await stack.open_refund(order["order_id"], "technical_issue", "investigating")
    handle = stack.handle(refund["refund_id"])

    await stack.env.fast_forward(handle, timedelta(hours=47))
    assert (await stack.refund(refund["refund_id"]))["status"] == "investigating"
    await stack.env.fast_forward(handle, timedelta(hours=2))
    escalated = await stack.wait_for_status(refund["refund_id"], "awaiting_approval")
    assert escalated["escalated"] is True
    [step] = entries(escalated, "escalated")
    assert step["actor_id"] == "system" and step["status"] == "awaiting_approval"
    assert step["note"] == "troubleshooting undecided after 48 h; an approver decides"
