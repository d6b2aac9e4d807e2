"""`refunds demo` on a fresh stack: every case ends where the policy sends it, with real emulator payments."""

from __future__ import annotations

import re

from cli_support import ok, refunds
from refund_support import RefundStack

EXPECTED = ["settling", "awaiting_approval", "investigating", "investigating", "rejected", "failed"]


async def test_the_demo_makes_one_refund_per_case_and_each_goes_its_way(stack: RefundStack) -> None:
    out = ok(await refunds(stack, "demo", "--stripe-url", stack.emulator.base_url, token=None))
    refund_ids = re.findall(r"rf_[0-9a-f]{24}", out)
    assert len(refund_ids) == len(EXPECTED), out
    assert "Rejected: " in out and "Approved automatically: " in out
    for refund_id, status in zip(refund_ids, EXPECTED, strict=True):
        refund = await stack.wait_for_status(refund_id, status, timeout=30)
        assert refund["note"].startswith("demo: ")
    live = await refunds(stack, "demo", "--stripe-url", stack.emulator.base_url, "--stripe-key", "sk_live_x")
    assert live.exit_code == 1 and "give it a test key (sk_test_...), never a live one" in live.stderr
