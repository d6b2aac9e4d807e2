"""Stripe's records decide: a refund fails only when Stripe holds nothing of ours, finance's actions ask Stripe first,
and settlement re-reads Stripe before recording the refund settled."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from refund_support import FINANCE, SUPPORT, RefundStack, entries

FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card `refund_failure_delay` after success
UNREACHABLE = {"stripe_call_timeout": 1, "stripe_retry_window": 3}


async def unreachable_refund(stack: RefundStack) -> tuple[dict, dict]:
    """A refund whose Stripe call never got through within the retry window: failed, saying no money moved."""
    order = await stack.paid_order(amount_minor=1200)
    stack.emulator.control.add_fault(method="POST", path="/v1/refunds", status=500, when="before", count=None)
    try:
        response = await stack.request_refund(order["order_id"], "not_activated")
        assert response.status_code == 201, response.text
        failed = await stack.wait_for_status(response.json()["refund_id"], "failed", timeout=30)
    finally:
        stack.emulator.control.clear_faults()
    return order, failed


async def late_stripe_refund(stack: RefundStack, order: dict, refund: dict):
    """The refund a request still in flight when we stopped waiting makes at Stripe afterwards."""
    metadata = {"refund_id": refund["refund_id"], "attempt": "1", "order_id": order["order_id"]}
    params = {"payment_intent": order["payment_intent_id"], "amount": refund["amount_minor"], "metadata": metadata}
    return await asyncio.to_thread(stack.stripe.v1.refunds.create, params)


async def order_status(stack: RefundStack, order_id: str) -> str:
    """The order's status as staff see it."""
    return (await stack.api.get(f"/orders/{order_id}", headers=SUPPORT)).json()["status"]


@pytest.mark.history
@pytest.mark.parametrize("settings_overrides", [UNREACHABLE])
async def test_unreachable_stripe_fails_saying_no_money_moved_and_finance_retries(stack: RefundStack) -> None:
    order, failed = await unreachable_refund(stack)
    refund_id = failed["refund_id"]
    assert failed["failure_reason"].startswith("stripe_unreachable: ") and "no money moved" in failed["failure_reason"]
    assert failed["stripe_refund_id"] is None
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []
    assert (await stack.emails(refund_id))[-1] == "refund_failed"

    retried = await stack.act(refund_id, "resolve-failure", FINANCE, action="retry")
    assert retried.status_code == 200, retried.text
    settling = await stack.wait_for_status(refund_id, "settling")
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    assert settling["stripe_refund_id"] == stripe_refund.id and stripe_refund.metadata["attempt"] == "2"


@pytest.mark.history
@pytest.mark.parametrize("settings_overrides", [UNREACHABLE])
async def test_finance_retry_adopts_the_refund_stripe_made_after_we_stopped_waiting(stack: RefundStack) -> None:
    order, failed = await unreachable_refund(stack)
    refund_id = failed["refund_id"]
    late = await late_stripe_refund(stack, order, failed)

    retried = await stack.act(refund_id, "resolve-failure", FINANCE, action="retry")
    assert retried.status_code == 200, retried.text
    settling = await stack.wait_for_status(refund_id, "settling")
    assert settling["stripe_refund_id"] == late.id
    assert [r.id for r in await stack.stripe_refunds(order["payment_intent_id"])] == [late.id], "no second refund"
    [adopted] = entries(settling, "stripe_refund_adopted")
    assert adopted["detail"]["stripe_refund_id"] == late.id and adopted["detail"]["attempt"] == 1
    assert await order_status(stack, order["order_id"]) == "refunded"


@pytest.mark.history
@pytest.mark.parametrize("settings_overrides", [UNREACHABLE])
async def test_manual_payout_is_refused_while_stripe_pays_the_customer(stack: RefundStack) -> None:
    order, failed = await unreachable_refund(stack)
    refund_id = failed["refund_id"]
    late = await late_stripe_refund(stack, order, failed)

    refused = await stack.act(refund_id, "resolve-failure", FINANCE, action="manual_payout", reference="SEPA-2025-0099")
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert late.id in detail and "no manual payout was recorded" in detail
    # The refund now follows what Stripe says: the customer is paid through Stripe, once.
    settling = await stack.wait_for_status(refund_id, "settling")
    assert settling["stripe_refund_id"] == late.id and settling["resolution"] is None
    assert [r.id for r in await stack.stripe_refunds(order["payment_intent_id"])] == [late.id]
    assert not entries(settling, "failure_resolved")


@pytest.mark.history
async def test_settlement_rereads_stripe_and_reopens_a_late_failure_no_webhook_reported(stack: RefundStack) -> None:
    # No webhook reaches us for this refund (as when they were lost while Temporal was unreachable).
    endpoints = await asyncio.to_thread(stack.stripe.v1.webhook_endpoints.list)
    [endpoint] = [e for e in endpoints.data if e.url == f"{stack.settings.public_api_url}/webhooks/stripe"]
    await asyncio.to_thread(stack.stripe.v1.webhook_endpoints.update, endpoint.id, {"disabled": True})
    order = await stack.paid_order(card=FAILING_CARD)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    settling = await stack.wait_for_status(refund_id, "settling")
    assert await order_status(stack, order["order_id"]) == "refunded"

    deadline = time.monotonic() + 10
    while (await asyncio.to_thread(stack.stripe.v1.refunds.retrieve, settling["stripe_refund_id"])).status != "failed":
        assert time.monotonic() < deadline, "Stripe never failed the refund"
        await asyncio.sleep(0.1)
    assert (await stack.refund(refund_id))["status"] == "settling", "no webhook came: only our own re-read can tell"

    await stack.env.fast_forward(stack.handle(refund_id), timedelta(days=16))
    failed = await stack.wait_for_status(refund_id, "failed", "settled")
    assert failed["status"] == "failed" and failed["failure_reason"] == "expired_or_canceled_card"
    assert failed["settled_at"] is None and not entries(failed, "settled")
    assert await order_status(stack, order["order_id"]) == "paid", (
        "the customer's access is back: no money reached them"
    )
    assert (await stack.emails(refund_id))[-1] == "refund_failed"
