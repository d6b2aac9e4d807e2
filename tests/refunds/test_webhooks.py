"""POST /webhooks/stripe: signatures checked, stale ones refused, each event handled once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

from refund_support import RefundStack
from sqlmodel import select
from temporalio.api.enums.v1 import EventType

from store.refund_tables import StripeEventRecord
from workflows.refund import RefundWorkflow


def signed(payload: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers as Stripe sends them: `Stripe-Signature: t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={timestamp},v1={digest}", "Content-Type": "application/json"}


def refund_event(stripe_refund: dict, event_type: str = "refund.failed") -> tuple[str, str]:
    """A Stripe event about a refund, as JSON, with a fresh id."""
    event_id = f"evt_test_{uuid.uuid4().hex[:16]}"
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {"object": stripe_refund},
    }
    return event_id, json.dumps(event)


async def stored_events(stack: RefundStack, event_id: str) -> list[StripeEventRecord]:
    """The API's record of a handled Stripe event (read in a thread: the API shares this event loop)."""
    query = select(StripeEventRecord).where(StripeEventRecord.event_id == event_id)
    return await stack.database.atransact(lambda session: list(session.exec(query)))


async def refund_signals(stack: RefundStack, refund_id: str) -> list[dict]:
    """The Stripe events signalled to a refund's workflow."""
    history = await stack.handle(refund_id).fetch_history()
    return [
        json.loads(e.workflow_execution_signaled_event_attributes.input.payloads[0].data)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]


async def completed_fetches(stack: RefundStack, refund_id: str) -> int:
    """How many times the workflow re-read its refund from Stripe, to completion."""
    history = await stack.handle(refund_id).fetch_history()
    fetches = {
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "fetch_stripe_refund"
    }
    return sum(
        1
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        and e.activity_task_completed_event_attributes.scheduled_event_id in fetches
    )


async def settling_refund(stack: RefundStack) -> tuple[dict, dict]:
    """A refund paid by Stripe and waiting out settlement, with its Stripe refund as plain data."""
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund = await stack.wait_for_status(response.json()["refund_id"], "settling")
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    return refund, stripe_refund.to_dict()


async def test_bad_stale_or_future_signatures_are_refused_and_change_nothing(stack: RefundStack) -> None:
    refund, stripe_refund = await settling_refund(stack)
    event_id, payload = refund_event(stripe_refund | {"status": "failed", "failure_reason": "lost_or_stolen_card"})
    secret = stack.settings.stripe_webhook_secret.get_secret_value()

    attempts = {
        "wrong secret": signed(payload, "whsec_not_ours"),
        "no signature": {"Content-Type": "application/json"},
        "stale": signed(payload, secret, int(time.time()) - 600),
        # The SDK's tolerance looks only back: a signature dated ahead would stay replayable for that long.
        "future": signed(payload, secret, int(time.time()) + 600),
    }
    for name, headers in attempts.items():
        response = await stack.api.post("/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 400, f"{name}: {response.text}"
        assert "signature" in response.json()["detail"]
    tampered = payload.replace("lost_or_stolen_card", "expired_or_canceled_card")
    response = await stack.api.post("/webhooks/stripe", content=tampered, headers=signed(payload, secret))
    assert response.status_code == 400, response.text

    assert await stored_events(stack, event_id) == []
    assert await refund_signals(stack, refund["refund_id"]) == []
    after = await stack.refund(refund["refund_id"])
    assert after["status"] == "settling" and after["timeline"] == refund["timeline"]


async def test_the_same_event_twice_is_handled_once(stack: RefundStack) -> None:
    refund, stripe_refund = await settling_refund(stack)
    # Claims a failure Stripe does not report: the workflow trusts only what it re-reads from Stripe.
    event_id, payload = refund_event(stripe_refund | {"status": "failed", "failure_reason": "lost_or_stolen_card"})
    secret = stack.settings.stripe_webhook_secret.get_secret_value()

    first = await stack.api.post("/webhooks/stripe", content=payload, headers=signed(payload, secret))
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "outcome": "signalled"}
    second = await stack.api.post("/webhooks/stripe", content=payload, headers=signed(payload, secret))
    assert second.status_code == 200, second.text
    assert second.json() == {"received": True, "duplicate": True}

    [record] = await stored_events(stack, event_id)
    assert (
        record.event_type == "refund.failed"
        and record.object_id == stripe_refund["id"]
        and record.outcome == "signalled"
    )
    signals = await refund_signals(stack, refund["refund_id"])
    assert [s["event_id"] for s in signals] == [event_id]

    # The signal made the workflow re-read the refund from Stripe (once), which still says succeeded.
    deadline = time.monotonic() + 5
    while not (fetches := await completed_fetches(stack, refund["refund_id"])) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert fetches == 1
    state = await stack.handle(refund["refund_id"]).query(RefundWorkflow.state)
    assert state.status == "settling" and state.stripe_status == "succeeded" and state.failure_reason is None


async def test_a_late_failure_counts_only_for_the_stripe_refund_we_created(stack: RefundStack) -> None:
    refund, stripe_refund = await settling_refund(stack)
    await stack.env.fast_forward(stack.handle(refund["refund_id"]), timedelta(days=16))
    assert (await asyncio.wait_for(stack.handle(refund["refund_id"]).result(), timeout=5)).status == "settled"
    secret = stack.settings.stripe_webhook_secret.get_secret_value()
    failed = {"status": "failed", "failure_reason": "lost_or_stolen_card"}

    # Another Stripe refund carrying our refund id in its metadata (made by hand, or by another system).
    foreign_id, foreign = refund_event(stripe_refund | failed | {"id": "re_3NotTheOneWeCreated0001"})
    response = await stack.api.post("/webhooks/stripe", content=foreign, headers=signed(foreign, secret))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "not our stripe refund"}
    [record] = await stored_events(stack, foreign_id)
    assert record.outcome == "not our stripe refund"
    after = await stack.refund(refund["refund_id"])
    assert after["status"] == "settled" and after["needs_attention"] is False and after["attention_reason"] is None

    # The same failure of the refund we created is money that did not arrive: finance must look.
    _, ours = refund_event(stripe_refund | failed)
    response = await stack.api.post("/webhooks/stripe", content=ours, headers=signed(ours, secret))
    assert response.json() == {"received": True, "outcome": "needs attention"}, response.text
    flagged = await stack.refund(refund["refund_id"])
    assert flagged["needs_attention"] is True and "lost_or_stolen_card" in flagged["attention_reason"]
