"""Benchmark a running stack (`make run`): refund latency, throughput, Temporal cost per refund, process memory.

    .venv/bin/python -m benchmarks.refund_costs --count 40 --concurrency 8 [--pid <worker pid> --pid <api pid>]

Creates real payments in the Stripe emulator, registers them as orders, asks for automatically approved
refunds (`not_activated`), waits until each is `settling` (Stripe succeeded), then reads every workflow
history and counts billable actions and events. The settlement wait that follows adds one timer firing,
one local-activity task and one search-attribute upsert (+2 actions, +6 events) per refund.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.temporal_costs import billable_actions
from core.settings import get_settings
from core.stripe_client import make_stripe_client
from core.temporal import connect
from stripe_emulator.testing import pay


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_refund(api: httpx.AsyncClient, stripe, shop: dict, support: dict) -> tuple[str, float]:
    """Pay, register, request a refund; return its id and the seconds until Stripe succeeded."""
    intent = await asyncio.to_thread(pay, stripe, 1999, "eur")
    customer = f"bench-{uuid.uuid4().hex[:8]}"
    order = {
        "order_id": f"bench-{uuid.uuid4().hex[:12]}",
        "customer_id": customer,
        "customer_email": f"{customer}@example.com",
        "plan_months": 1,
        "amount_minor": 1999,
        "currency": "eur",
        "payment_intent_id": intent.id,
        "paid_at": datetime.fromtimestamp(intent.created, UTC).isoformat(),
    }
    (await api.post("/orders", json=order, headers=shop)).raise_for_status()
    started = time.monotonic()
    response = await api.post(
        "/refunds", json={"order_id": order["order_id"], "reason": "not_activated"}, headers=support
    )
    response.raise_for_status()
    refund_id = response.json()["refund_id"]
    while (await api.get(f"/refunds/{refund_id}", headers=support)).json()["status"] != "settling":
        await asyncio.sleep(0.05)
    return refund_id, time.monotonic() - started


async def main() -> None:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--support-token", default="dev-support-1")
    parser.add_argument("--shop-token", default="dev-shop-1")
    parser.add_argument(
        "--pid", type=int, action="append", default=[], help="Process to report memory of (repeatable)."
    )
    args = parser.parse_args()
    settings = get_settings()
    if settings.stripe_api_base is None:
        # The benchmark creates payments: it runs against the emulator `make run` starts, never real Stripe.
        settings = settings.model_copy(update={"stripe_api_base": "http://127.0.0.1:12111"})
    stripe = make_stripe_client(settings)
    client = await connect(settings, retry=False)
    shop, support = ({"Authorization": f"Bearer {t}"} for t in (args.shop_token, args.support_token))
    gate = asyncio.Semaphore(args.concurrency)
    peak = {pid: rss_mib(pid) for pid in args.pid}

    async def bounded(api):
        async with gate:
            return await one_refund(api, stripe, shop, support)

    async with httpx.AsyncClient(base_url=settings.public_api_url, timeout=60) as api:
        began = time.monotonic()
        tasks = [asyncio.create_task(bounded(api)) for _ in range(args.count)]
        while not all(t.done() for t in tasks):
            if failed := [t for t in tasks if t.done() and t.exception()]:
                for task in tasks:
                    task.cancel()
                raise SystemExit(f"benchmark stopped: {failed[0].exception()!r}")
            peak = {pid: max(peak[pid], rss_mib(pid)) for pid in args.pid}
            await asyncio.sleep(0.2)
        results = [t.result() for t in tasks]
        elapsed = time.monotonic() - began
    latencies = sorted(seconds for _, seconds in results)
    costs = []
    for refund_id, _ in results:
        history = await client.get_workflow_handle(f"refund-{refund_id}").fetch_history()
        costs.append((billable_actions(history), len(history.events)))
    print(f"refunds: {args.count} at concurrency {args.concurrency} in {elapsed:.1f}s ({args.count / elapsed:.1f}/s)")
    print(
        f"request -> Stripe succeeded: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(
        f"billable actions so far: max {max(c[0] for c in costs)} (+2 when settled); "
        f"history events: max {max(c[1] for c in costs)} (+6 when settled)"
    )
    for pid, mib in peak.items():
        print(f"pid {pid}: peak RSS {mib:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
