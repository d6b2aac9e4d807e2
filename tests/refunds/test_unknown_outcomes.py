"""An unknown Stripe outcome is never a failure: after a 5xx, a dropped connection or a timeout, Stripe is asked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from refund_support import RefundStack, entries
from temporalio.api.enums.v1 import EventType

from activities.stripe_refunds import idempotency_key


async def approved_refund(stack: RefundStack) -> tuple[dict, str]:
    """An automatically approved refund: the Stripe call follows immediately."""
    order = await stack.paid_order(amount_minor=1500)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    return order, response.json()["refund_id"]


async def create_attempts(stack: RefundStack, refund_id: str) -> list[int]:
    """The attempt numbers of every create_stripe_refund activity run, in order."""
    history = await stack.handle(refund_id).fetch_history()
    scheduled = {
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "create_stripe_refund"
    }
    return [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and e.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]


async def creating_key(stack: RefundStack, stripe_refund_id: str) -> str:
    """The idempotency key of the request that created a Stripe refund (from its refund.created event)."""
    events = await asyncio.to_thread(stack.stripe.v1.events.list, {"type": "refund.created", "limit": 100})
    [event] = [e for e in events.data if e.data.object["id"] == stripe_refund_id]
    return event.request.idempotency_key


@contextmanager
def stripe_fault(stack: RefundStack, **spec) -> Iterator[None]:
    """A fault for as long as the block runs (the emulator is shared by the session)."""
    stack.emulator.control.add_fault(**spec)
    try:
        yield
    finally:
        stack.emulator.control.clear_faults()


async def one_refund_settling(stack: RefundStack, order: dict, refund_id: str) -> dict:
    """The refund reaches settling with the one Stripe refund on its payment."""
    refund = await stack.wait_for_status(refund_id, "settling")
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    assert refund["stripe_refund_id"] == stripe_refund.id and stripe_refund.status == "succeeded"
    assert stripe_refund.metadata["refund_id"] == refund_id
    return refund


@pytest.mark.history
async def test_replayed_500_after_stripe_acted_is_found_not_failed(stack: RefundStack) -> None:
    # Stripe acts, answers 500 with Stripe-Should-Retry: false and saves that 500 for the key: what the chaos run hit.
    with stripe_fault(stack, method="POST", path="/v1/refunds", status=500, when="after", idempotent_replay=True):
        order, refund_id = await approved_refund(stack)
        refund = await one_refund_settling(stack, order, refund_id)
    assert refund["failure_reason"] is None
    assert await create_attempts(stack, refund_id) == [1], "the same attempt looked the refund up after the 500"
    assert await creating_key(stack, refund["stripe_refund_id"]) == idempotency_key(refund_id, 1)


async def test_replayed_error_with_nothing_made_moves_to_the_next_key(stack: RefundStack) -> None:
    # Stripe replays a saved 500 for our key (that request finished and made nothing): the same key can never work.
    replayed = {"Idempotent-Replayed": "true"}
    with stripe_fault(
        stack, method="POST", path="/v1/refunds", status=500, when="before", should_retry=False, headers=replayed
    ):
        order, refund_id = await approved_refund(stack)
        refund = await one_refund_settling(stack, order, refund_id)
    assert await create_attempts(stack, refund_id) == [1]
    assert await creating_key(stack, refund["stripe_refund_id"]) == idempotency_key(refund_id, 1, 2)


async def test_dropped_connection_after_stripe_acted_is_found(stack: RefundStack) -> None:
    with stripe_fault(stack, method="POST", path="/v1/refunds", drop_connection=True, when="after"):
        order, refund_id = await approved_refund(stack)
        await one_refund_settling(stack, order, refund_id)
    assert await create_attempts(stack, refund_id) == [1]


async def test_500_before_stripe_acted_is_retried_with_the_same_key(stack: RefundStack) -> None:
    with stripe_fault(stack, method="POST", path="/v1/refunds", status=500, when="before"):
        order, refund_id = await approved_refund(stack)
        refund = await one_refund_settling(stack, order, refund_id)
    # Nothing found after the fresh 500: the attempt fails retryable, the next one looks again, then sends the same key.
    assert await create_attempts(stack, refund_id) == [2]
    assert await creating_key(stack, refund["stripe_refund_id"]) == idempotency_key(refund_id, 1)


@pytest.mark.parametrize("settings_overrides", [{"stripe_call_timeout": 2}])
async def test_timeout_after_stripe_acted_is_found(stack: RefundStack) -> None:
    # Stripe acts, then answers after the activity's start-to-close timeout: Temporal gives up on the attempt.
    with stripe_fault(stack, method="POST", path="/v1/refunds", latency_ms=3500, when="after"):
        order, refund_id = await approved_refund(stack)
        await one_refund_settling(stack, order, refund_id)
    assert await create_attempts(stack, refund_id) == [2], "the retry found the refund the timed-out attempt made"


async def _wait_for_activity(stack: RefundStack, refund_id: str, name: str, timeout: float = 20.0) -> None:
    """Until the workflow has scheduled an activity of this name (read from history: Stripe may be faulted)."""
    deadline = time.monotonic() + timeout
    while True:
        history = await stack.handle(refund_id).fetch_history()
        if any(
            e.activity_task_scheduled_event_attributes.activity_type.name == name
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ):
            return
        assert time.monotonic() < deadline, f"{name} was never scheduled"
        await asyncio.sleep(0.2)


@pytest.mark.history
@pytest.mark.parametrize("settings_overrides", [{"stripe_call_timeout": 2, "stripe_retry_window": 4}])
async def test_call_that_never_answered_is_resolved_from_stripe_records(stack: RefundStack) -> None:
    # Stripe made the refund, but neither the create nor any lookup answers until the retry window is spent.
    stack.emulator.control.add_fault(method="POST", path="/v1/refunds", latency_ms=3000, when="after")
    order, refund_id = await approved_refund(stack)
    deadline = time.monotonic() + 10
    while not await stack.stripe_refunds(order["payment_intent_id"]):
        assert time.monotonic() < deadline, "Stripe never made the refund"
        await asyncio.sleep(0.05)
    with stripe_fault(stack, method="GET", path="/v1/refunds", status=500, count=None):
        await _wait_for_activity(stack, refund_id, "find_stripe_refunds")
        assert (await stack.refund(refund_id))["status"] == "refunding", "an unanswered call is not a failure"
    refund = await one_refund_settling(stack, order, refund_id)
    [found] = entries(refund, "stripe_outcome_found")
    assert found["detail"]["stripe_refund_id"] == refund["stripe_refund_id"]
