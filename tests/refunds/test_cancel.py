"""Cancelling: possible until Stripe is called, refused once the money was sent."""

from __future__ import annotations

import pytest
from refund_support import APPROVER, FINANCE, SUPPORT, RefundStack, entries


@pytest.mark.history
async def test_support_cancels_before_stripe_is_called(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    response = await stack.act(refund["refund_id"], "cancel", SUPPORT, note="customer kept the plan")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"

    assert (await stack.handle(refund["refund_id"]).result()).status == "cancelled"
    cancelled = await stack.wait_for_status(refund["refund_id"], "cancelled")
    [step] = entries(cancelled, "cancelled")
    assert step["actor_name"] == "dev-support-1" and step["note"] == "customer kept the plan"
    assert cancelled["stripe_refund_id"] is None
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_cancelled"]
    # A cancelled refund no longer blocks the order.
    assert (await stack.request_refund(order["order_id"], "wrong_plan")).status_code == 201


async def test_cancelling_a_paid_refund_is_refused(stack: RefundStack) -> None:
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")

    for who in (SUPPORT, APPROVER):
        response = await stack.act(refund_id, "cancel", who)
        assert response.status_code == 409, response.text
        assert "already sent to the payment provider" in response.json()["detail"]
    response = await stack.act(refund_id, "cancel", FINANCE)
    assert response.status_code == 403, response.text

    refund = await stack.refund(refund_id)
    assert refund["status"] == "settling" and not entries(refund, "cancelled")
    assert len(await stack.stripe_refunds(order["payment_intent_id"])) == 1
