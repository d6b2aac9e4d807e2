"""What engineers see: search attributes that filter, readable summaries, a state query, Prometheus metrics."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
from refund_support import RefundStack
from tests_paths import TEMPORAL_BIN

from workflows.refund import RefundWorkflow


async def _ids(stack: RefundStack, query: str, expected: set[str], timeout: float = 15.0) -> set[str]:
    """Workflow ids a visibility query returns, polled until it includes `expected` (visibility lags a little)."""
    deadline = time.monotonic() + timeout
    while True:
        found = {w.id async for w in stack.client.list_workflows(query)}
        if expected <= found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_search_attributes_filter_refunds(stack: RefundStack) -> None:
    waiting_order = await stack.paid_order(amount_minor=3000, activated=True)
    waiting = (await stack.request_refund(waiting_order["order_id"], "wrong_plan")).json()["refund_id"]
    settling_order = await stack.paid_order(amount_minor=1200)
    settling = (await stack.request_refund(settling_order["order_id"], "not_activated")).json()["refund_id"]
    await stack.wait_for_status(waiting, "awaiting_approval")
    refund = await stack.wait_for_status(settling, "settling")

    scope = f"(OrderId = '{waiting_order['order_id']}' OR OrderId = '{settling_order['order_id']}')"
    assert await _ids(stack, f"RefundStatus = 'awaiting_approval' AND {scope}", {f"refund-{waiting}"}) == {
        f"refund-{waiting}"
    }
    due_by = datetime.fromisoformat(refund["settlement"]["expected_by"]).replace(tzinfo=UTC)
    after, before = (due_by + timedelta(days=2)).isoformat(), (due_by - timedelta(days=2)).isoformat()
    assert await _ids(stack, f"SettlementDueBy < '{after}' AND {scope}", {f"refund-{settling}"}) == {
        f"refund-{settling}"
    }
    assert await _ids(stack, f"SettlementDueBy < '{before}' AND {scope}", set()) == set()
    found = await _ids(
        stack,
        f"RefundReason = 'wrong_plan' AND CustomerId = '{waiting_order['customer_id']}' "
        "AND RefundCurrency = 'eur' AND RefundAmount = 3000",
        {f"refund-{waiting}"},
    )
    assert found == {f"refund-{waiting}"}

    # The same filter from the Temporal CLI, as an engineer types it.
    listed = subprocess.run(
        [
            str(TEMPORAL_BIN),
            "workflow",
            "list",
            "--address",
            stack.settings.temporal_address,
            "--query",
            f"RefundStatus = 'awaiting_approval' AND {scope}",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert [row["execution"]["workflowId"] for row in json.loads(listed.stdout)] == [f"refund-{waiting}"]


async def test_summary_details_and_state_query(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=2200, activated=True)
    refund_id = (await stack.request_refund(order["order_id"], "wrong_plan")).json()["refund_id"]
    await stack.wait_for_status(refund_id, "awaiting_approval")
    handle = stack.handle(refund_id)
    description = await handle.describe()
    assert refund_id in (await description.static_summary()) and "wrong_plan" in (await description.static_summary())
    assert order["order_id"] in (await description.static_details())
    state = await handle.query(RefundWorkflow.state)
    assert state.status == "awaiting_approval" and state.assessment.rule == "duplicate_or_order_error"
    assert [entry.kind for entry in state.timeline] == ["requested", "assessed"]


async def test_metrics_endpoints(stack: RefundStack, worker_metrics_address: str) -> None:
    order = await stack.paid_order(amount_minor=900)
    refund_id = (await stack.request_refund(order["order_id"], "not_activated")).json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")

    deadline = time.monotonic() + 15
    while True:
        worker_metrics = httpx.get(f"http://{worker_metrics_address}/metrics").text
        if "stripe_call_latency" in worker_metrics and 'status="settling"' in worker_metrics:
            break
        assert time.monotonic() < deadline, worker_metrics[:2000]
        await asyncio.sleep(0.2)
    assert "refund_status_transitions" in worker_metrics
    assert "temporal_workflow_completed" in worker_metrics or "temporal_activity_execution_latency" in worker_metrics

    deadline = time.monotonic() + 15
    while "stripe_webhook_lag_seconds_count" not in (api_metrics := (await stack.api.get("/metrics")).text):
        assert time.monotonic() < deadline, api_metrics[:2000]
        await asyncio.sleep(0.2)
    assert 'refunds_by_status{status="settling"}' in api_metrics
