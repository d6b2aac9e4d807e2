"""Exactly one Stripe refund per approved refund: Stripe failing after acting, lost keys, a worker killed mid-call."""

from __future__ import annotations

import asyncio
import time

import pytest
from refund_support import RefundStack


async def _approved_refund(stack: RefundStack) -> tuple[dict, str]:
    """An automatically approved refund: the Stripe call follows immediately."""
    order = await stack.paid_order(amount_minor=1500)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    return order, response.json()["refund_id"]


async def _wait_for_stripe_refund(stack: RefundStack, payment_intent_id: str, timeout: float = 15.0) -> None:
    """Until the emulator holds a refund on this payment."""
    deadline = time.monotonic() + timeout
    while not await stack.stripe_refunds(payment_intent_id):
        assert time.monotonic() < deadline, "no Stripe refund was created"
        await asyncio.sleep(0.05)


@pytest.mark.history
async def test_error_after_stripe_acted_gives_one_refund(stack: RefundStack) -> None:
    stack.emulator.control.add_fault(method="POST", path="/v1/refunds", status=500, when="after", count=1)
    order, refund_id = await _approved_refund(stack)
    refund = await stack.wait_for_status(refund_id, "settling")
    stripe_refunds = await stack.stripe_refunds(order["payment_intent_id"])
    assert len(stripe_refunds) == 1
    assert refund["stripe_refund_id"] == stripe_refunds[0].id
    history = await stack.handle(refund_id).fetch_history()
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert attempts == [1], "after Stripe's 500 the same attempt looked the refund up and found it (no retry billed)"


async def test_forgotten_idempotency_key_still_gives_one_refund(stack: RefundStack) -> None:
    # Stripe acts, then answers 500 slowly; meanwhile it forgets the key, as it does after 24 hours.
    stack.emulator.control.add_fault(
        method="POST", path="/v1/refunds", status=500, when="after", latency_ms=1500, count=1
    )
    order, refund_id = await _approved_refund(stack)
    await _wait_for_stripe_refund(stack, order["payment_intent_id"])
    assert stack.emulator.control.expire_idempotency_keys() >= 1
    await stack.wait_for_status(refund_id, "settling")
    stripe_refunds = await stack.stripe_refunds(order["payment_intent_id"])
    assert len(stripe_refunds) == 1, "the retry must find the refund by its metadata, not create a second one"
    assert stripe_refunds[0].metadata["refund_id"] == refund_id
