"""A refund recorded while Temporal did not answer is kept and started later: never lost, never started twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from refund_support import SUPPORT, RefundStack
from temporal_gate import TemporalGate
from test_temporal_outage import api_temporal_client, assert_try_again, temporal_gate  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("temporal_gate")


@pytest.fixture
def settings_overrides() -> dict:
    """Fast 503s, and a recovery loop that looks for waiting starts every few hundred milliseconds."""
    return {"webhook_delivery_timeout": timedelta(seconds=1), "refund_start_grace": timedelta(seconds=1)}


@pytest.fixture
def gate(temporal_gate: TemporalGate) -> TemporalGate:  # noqa: F811 (the imported fixture, by name)
    """The gate between the API and Temporal."""
    return temporal_gate


async def test_refund_recorded_during_an_outage_starts_when_temporal_is_back(
    stack: RefundStack, gate: TemporalGate
) -> None:
    order = await stack.paid_order(amount_minor=1999)
    await gate.close()

    first = await stack.request_refund(order["order_id"], "not_activated")
    assert_try_again(first)
    named = re.search(r"Refund (rf_\w+) is recorded", first.json()["detail"])
    assert named is not None, first.text
    refund_id = named.group(1)
    # The client retries without a key (it never learnt the id from a 201): it is told which refund is open.
    retry = await stack.request_refund(order["order_id"], "not_activated")
    assert retry.status_code == 409, retry.text
    assert retry.json()["refund_id"] == refund_id
    kept = await stack.api.get(f"/refunds/{refund_id}", headers=SUPPORT)
    assert kept.status_code == 200 and kept.json()["status"] == "received", kept.text

    await gate.open()
    settling = await stack.wait_for_status(refund_id, "settling", timeout=60)
    assert settling["stripe_refund_id"].startswith("re_")
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [1999]


async def test_a_started_refund_is_not_started_again(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1999)
    created = await stack.request_refund(order["order_id"], "not_activated")
    assert created.status_code == 201, created.text
    refund_id = created.json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")
    runs = [w async for w in stack.client.list_workflows(f"WorkflowId = 'refund-{refund_id}'")]
    assert len(runs) == 1
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [1999]
