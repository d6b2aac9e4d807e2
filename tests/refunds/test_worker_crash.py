"""A worker killed in the middle of the Stripe call, then replaced: still exactly one Stripe refund."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from refund_support import RefundStack
from test_exactly_once import _approved_refund


@pytest.fixture
def stripe_worker_in_process() -> bool:
    """The Stripe activity runs in a worker process this module kills."""
    return False


def _worker_process(stack: RefundStack, log_path) -> subprocess.Popen:
    """`python -m worker` pointed at this test's queues, database, Temporal and emulator."""
    s = stack.settings
    env = os.environ | {
        "TEMPORAL_ADDRESS": s.temporal_address,
        "TEMPORAL_TASK_QUEUE": s.temporal_task_queue,
        "TEMPORAL_STRIPE_TASK_QUEUE": s.temporal_stripe_task_queue,
        "DATABASE_URL": s.database_url,
        "STRIPE_API_KEY": s.stripe_api_key.get_secret_value(),
        "STRIPE_API_BASE": s.stripe_api_base or "",
        "SMTP_URL": "",
        "LOG_FORMAT": "text",
        # The worker refuses workflow calls it cannot check; the test's API signs with this key.
        "ACTOR_SIGNING_KEY": s.signing_key().decode(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "worker"], env=env, stdout=log_path.open("ab"), stderr=subprocess.STDOUT
    )


@pytest.mark.parametrize("when", ["before", "after"])
async def test_worker_killed_during_stripe_call_gives_one_refund(stack: RefundStack, tmp_path, when: str) -> None:
    # The Stripe call hangs (before or after Stripe acted) long enough for us to kill the worker making it.
    stack.emulator.control.add_fault(method="POST", path="/v1/refunds", latency_ms=3000, when=when, count=1)
    log_path = tmp_path / "worker.log"
    first = _worker_process(stack, log_path)
    try:
        order, refund_id = await _approved_refund(stack)
        deadline = time.monotonic() + 20
        while stack.emulator.control.faults():  # a one-shot fault leaves the list when a request takes it
            assert time.monotonic() < deadline, log_path.read_text()
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    second = _worker_process(stack, log_path)
    try:
        # The dead worker's attempt times out (start-to-close), then the new worker retries with the same key.
        refund = await stack.wait_for_status(refund_id, "settling", timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    stripe_refunds = await stack.stripe_refunds(order["payment_intent_id"])
    assert len(stripe_refunds) == 1
    assert refund["stripe_refund_id"] == stripe_refunds[0].id
