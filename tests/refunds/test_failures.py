"""Refunds Stripe fails: asynchronously after success, permanently at once, or after we considered them settled."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from refund_support import APPROVER, FINANCE, SUPPORT, RefundStack, entries
from temporalio.api.enums.v1 import EventType

# The read model on both backends: the same flows on SQLite and PostgreSQL (see conftest).
READ_MODEL_BACKENDS = ("sqlite", "postgresql")


FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card a moment after they succeed
LATE_FAILURE_DELAY = 4.0  # seconds: long enough for the refund to settle first (fast-forwarded), short for the test


async def failed_refund(stack: RefundStack) -> tuple[dict, dict]:
    """A not-activated order paid with the failing card, refunded automatically, then failed by Stripe."""
    order = await stack.paid_order(card=FAILING_CARD)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    settling = await stack.wait_for_status(refund_id, "settling", "failed")
    assert settling["stripe_refund_id"].startswith("re_")
    failed = await stack.wait_for_status(refund_id, "failed", timeout=10)
    return order, failed


async def order_status(stack: RefundStack, order_id: str) -> str:
    """The order's status as staff see it."""
    return (await stack.api.get(f"/orders/{order_id}", headers=SUPPORT)).json()["status"]


@pytest.mark.history
async def test_refund_failed_after_success_then_paid_manually(stack: RefundStack) -> None:
    order, failed = await failed_refund(stack)
    refund_id = failed["refund_id"]
    # The webhook made the workflow re-read Stripe: the failure and its reason come from Stripe's refund.
    assert failed["stripe_status"] == "failed" and failed["failure_reason"] == "expired_or_canceled_card"
    [step] = [e for e in entries(failed, "stripe_status") if e["status"] == "failed"]
    assert step["actor_id"] == "system" and step["detail"]["stripe_refund_id"] == failed["stripe_refund_id"]
    assert (await stack.emails(refund_id))[-1] == "refund_failed"
    # The money did not reach the customer: the unactivated order is paid again, not refunded.
    assert await order_status(stack, order["order_id"]) == "paid"
    # A failed refund still blocks the order: finance must resolve it first.
    assert (await stack.request_refund(order["order_id"], "not_activated")).status_code == 409

    missing = await stack.act(refund_id, "resolve-failure", FINANCE, action="manual_payout")
    assert missing.status_code == 422 and "reference" in missing.json()["detail"]
    forbidden = await stack.act(refund_id, "resolve-failure", APPROVER, action="manual_payout", reference="SEPA-1")
    assert forbidden.status_code == 403, forbidden.text

    resolved = await stack.act(
        refund_id, "resolve-failure", FINANCE, action="manual_payout", reference="SEPA-2025-0042"
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "settled"
    assert (await stack.handle(refund_id).result()).status == "settled"
    settled = await stack.wait_for_status(refund_id, "settled")
    assert settled["resolution"] == "manual payout SEPA-2025-0042" and settled["settled_at"]
    [step] = entries(settled, "failure_resolved")
    assert step["actor_name"] == "dev-finance-1"
    assert step["detail"] == {"action": "manual_payout", "reference": "SEPA-2025-0042"}
    assert len(await stack.stripe_refunds(order["payment_intent_id"])) == 1
    assert await order_status(stack, order["order_id"]) == "refunded"


@pytest.mark.history
async def test_finance_retry_makes_a_second_stripe_attempt(stack: RefundStack) -> None:
    order, failed = await failed_refund(stack)
    refund_id = failed["refund_id"]
    retried = await stack.act(refund_id, "resolve-failure", FINANCE, action="retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "refunding"

    again = await stack.wait_until(
        refund_id, "refunded again", lambda r: r["stripe_refund_id"] not in (None, failed["stripe_refund_id"])
    )
    assert again["status"] in ("settling", "failed")
    stripe_refunds = sorted(await stack.stripe_refunds(order["payment_intent_id"]), key=lambda r: r.metadata["attempt"])
    assert [(r.metadata["refund_id"], r.metadata["attempt"]) for r in stripe_refunds] == [
        (refund_id, "1"),
        (refund_id, "2"),
    ]
    assert stripe_refunds[1].id == again["stripe_refund_id"]
    [step] = entries(again, "failure_resolved")
    assert step["actor_name"] == "dev-finance-1" and step["detail"]["action"] == "retry"
    # The same card fails the second attempt too: the refund goes back to finance, nothing loops.
    second_failed = lambda r: r["status"] == "failed" and r["stripe_refund_id"] == stripe_refunds[1].id  # noqa: E731
    final = await stack.wait_until(refund_id, "failed again", second_failed, timeout=10)
    assert final["stripe_status"] == "failed" and final["failure_reason"] == "expired_or_canceled_card"
    assert len(await stack.stripe_refunds(order["payment_intent_id"])) == 2


@pytest.mark.history
async def test_permanent_stripe_refusal_fails_without_retrying(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    refund_id = refund["refund_id"]
    # Someone refunded the payment in the Stripe dashboard meanwhile.
    await asyncio.to_thread(stack.stripe.v1.refunds.create, {"payment_intent": order["payment_intent_id"]})

    response = await stack.act(refund_id, "approve", APPROVER)
    assert response.status_code == 200, response.text
    failed = await stack.wait_for_status(refund_id, "failed")
    assert failed["failure_reason"].startswith("charge_already_refunded: ")
    [step] = entries(failed, "stripe_refund_refused")
    assert step["actor_id"] == "system" and step["detail"] == {"code": "charge_already_refunded"}
    assert failed["stripe_refund_id"] is None
    assert (await stack.emails(refund_id))[-1] == "refund_failed"

    history = await stack.handle(refund_id).fetch_history()
    scheduled = [
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "create_stripe_refund"
    ]
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and e.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]
    assert len(scheduled) == 1 and attempts == [1]
    assert len(await stack.stripe_refunds(order["payment_intent_id"])) == 1  # only the dashboard's


async def test_late_failure_after_settled_flags_the_refund_for_finance(stack: RefundStack) -> None:
    control = stack.emulator.control
    before = (await asyncio.to_thread(control.settings))["refund_failure_delay"]
    await asyncio.to_thread(control.configure, refund_failure_delay=LATE_FAILURE_DELAY)
    try:
        order = await stack.paid_order(card=FAILING_CARD)
        response = await stack.request_refund(order["order_id"], "not_activated")
        assert response.status_code == 201, response.text
        refund_id = response.json()["refund_id"]
        started = time.monotonic()
        await stack.wait_for_status(refund_id, "settling")
        await stack.env.fast_forward(stack.handle(refund_id), timedelta(days=16))
        assert (await asyncio.wait_for(stack.handle(refund_id).result(), timeout=5)).status == "settled"
        # The emulator fails the refund `refund_failure_delay` seconds after it was created: after it settled here.
        assert time.monotonic() - started < LATE_FAILURE_DELAY, "too slow to settle before the failure"

        deadline = time.monotonic() + 10
        while True:
            page = (await stack.api.get("/refunds", params={"needs_attention": "true"}, headers=FINANCE)).json()
            if [item["refund_id"] for item in page["items"]] == [refund_id]:
                break
            assert time.monotonic() < deadline, f"refund {refund_id} never flagged: {page}"
            await asyncio.sleep(0.1)
    finally:
        await asyncio.to_thread(control.configure, refund_failure_delay=before)

    refund = await stack.refund(refund_id)
    assert refund["status"] == "settled" and refund["needs_attention"] is True
    assert "failed" in refund["attention_reason"] and "expired_or_canceled_card" in refund["attention_reason"]
    quiet = (await stack.api.get("/refunds", params={"needs_attention": "false"}, headers=FINANCE)).json()
    assert refund_id not in [item["refund_id"] for item in quiet["items"]]
