"""Stripe calls stay under the configured ceiling: a task-queue rate limit, so it holds across all workers."""

from __future__ import annotations

import asyncio

import pytest
from refund_support import RefundStack
from temporalio.api.enums.v1 import EventType

CEILING_PER_SECOND = 2.0
REFUNDS = 6


@pytest.fixture
def settings_overrides() -> dict:
    """A low ceiling, so the spacing is measurable."""
    return {"stripe_max_requests_per_second": CEILING_PER_SECOND}


async def test_stripe_activities_are_spaced_by_the_ceiling(stack: RefundStack) -> None:
    orders = [await stack.paid_order(amount_minor=700 + n) for n in range(REFUNDS)]
    responses = await asyncio.gather(*(stack.request_refund(order["order_id"], "not_activated") for order in orders))
    refund_ids = [response.json()["refund_id"] for response in responses]
    await asyncio.gather(*(stack.wait_for_status(refund_id, "settling", timeout=60) for refund_id in refund_ids))

    started = []
    for refund_id in refund_ids:
        history = await stack.handle(refund_id).fetch_history()
        started += [
            e.event_time.ToDatetime()
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        ]
    started.sort()
    assert len(started) == REFUNDS
    span = (started[-1] - started[0]).total_seconds()
    # Six calls at two a second cannot all start within the first second; allow the limiter a burst of a few.
    print(f"{REFUNDS} Stripe activity starts spread over {span:.2f}s at {CEILING_PER_SECOND}/s")
    assert span >= (REFUNDS - 3) / CEILING_PER_SECOND
