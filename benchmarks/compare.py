"""Refunds against the cheapest workflow, in one run on one Temporal server: throughput, latency and cost ratios.

    .venv/bin/python -m benchmarks.compare --count 200 --concurrency 50 [--database-url postgresql+psycopg://...]

Starts its own stack on free ports (Temporal dev server, emulator, one worker, the API; SQLite under a temporary
VAR_DIR unless --database-url), then in the same run:
1. the baseline: N one-activity workflows started straight on Temporal (a worker in this process), C at a time;
2. N automatically approved refunds through `POST /refunds` (orders paid and registered beforehand), C at a time,
   each followed until `settling` (Stripe succeeded).
It prints workflows/s and refunds/s, `start_workflow` and `POST /refunds` p99, their ratios, billable actions and
history events per refund, and the worker's and API's peak RSS. Ratios, not absolute figures, are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from benchmarks.chaos.shop import SUPPORT, Order, paid_orders, stripe_client
from benchmarks.chaos.stack import ChaosStack, stack_config
from benchmarks.refund_costs import rss_mib
from benchmarks.temporal_costs import billable_actions
from benchmarks.trivial_workflow import OneActivityWorkflow, noop


@dataclass
class Run:
    """One side of the comparison: how long each call took and how long all took."""

    call_seconds: list[float]
    elapsed: float

    @property
    def rate(self) -> float:
        """Completions per second."""
        return len(self.call_seconds) / self.elapsed

    @property
    def p99(self) -> float:
        """99th percentile of the call latency."""
        ordered = sorted(self.call_seconds)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def bounded(count: int, concurrency: int, one: Callable[[int], Awaitable[float]]) -> Run:
    """Run `one(i)` for i < count, `concurrency` at a time; each answers its call's latency."""
    gate = asyncio.Semaphore(concurrency)

    async def guarded(index: int) -> float:
        async with gate:
            return await one(index)

    began = time.monotonic()
    latencies = await asyncio.gather(*(guarded(i) for i in range(count)))
    return Run(list(latencies), time.monotonic() - began)


async def baseline(client: Client, count: int, concurrency: int) -> Run:
    """One-activity workflows started and awaited straight on Temporal; latency is the `start_workflow` call."""
    queue = f"bench-trivial-{uuid.uuid4().hex[:8]}"

    async def one(index: int) -> float:
        started = time.monotonic()
        handle = await client.start_workflow(OneActivityWorkflow.run, index, id=f"{queue}-{index}", task_queue=queue)
        latency = time.monotonic() - started
        await handle.result()
        return latency

    async with Worker(client, task_queue=queue, workflows=[OneActivityWorkflow], activities=[noop]):
        return await bounded(count, concurrency, one)


async def refunds(api: httpx.AsyncClient, orders: list[Order], concurrency: int, ids: list[str]) -> Run:
    """`POST /refunds` for each order, each followed until Stripe succeeded; latency is the POST."""

    async def one(index: int) -> float:
        started = time.monotonic()
        body = {"order_id": orders[index].order_id, "reason": "not_activated"}
        response = await api.post("/refunds", json=body, headers=SUPPORT)
        latency = time.monotonic() - started
        response.raise_for_status()
        refund_id = response.json()["refund_id"]
        ids.append(refund_id)
        while (await api.get(f"/refunds/{refund_id}", headers=SUPPORT)).json()["status"] != "settling":
            await asyncio.sleep(0.1)
        return latency

    return await bounded(len(orders), concurrency, one)


async def peak_rss(pids: dict[str, int | None], peaks: dict[str, float], stop: asyncio.Event) -> None:
    """Sample each process's RSS until `stop`."""
    while not stop.is_set():
        for name, pid in pids.items():
            if pid is not None:
                peaks[name] = max(peaks.get(name, 0.0), rss_mib(pid))
        await asyncio.sleep(0.2)


async def costs(client: Client, refund_ids: list[str]) -> tuple[int, int]:
    """Most billable actions and history events of any refund so far."""
    found = []
    for refund_id in refund_ids:
        history = await client.get_workflow_handle(f"refund-{refund_id}").fetch_history()
        found.append((billable_actions(history), len(history.events)))
    return max(a for a, _ in found), max(e for _, e in found)


async def compare(count: int, concurrency: int, database_url: str | None, var_dir: Path) -> None:
    """Start the stack, run both sides, print the comparison, stop the stack."""
    # No emulated Stripe rate limit: the benchmark measures us and Temporal, not Stripe's 25 requests/s in test mode.
    stack = ChaosStack(stack_config(var_dir, database_url), ["--rate-limit", "0"], extra_env={}, workers=("worker",))
    try:
        await stack.start_all()
        client = stack.temporal
        sdk = stripe_client(stack.emulator_url)
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=120) as api:
            orders = await paid_orders(api, sdk, count)
            peaks: dict[str, float] = {}
            stop = asyncio.Event()
            sampler = asyncio.create_task(
                peak_rss({"worker": stack.pid("worker"), "api": stack.pid("api")}, peaks, stop)
            )
            trivial = await baseline(client, count, concurrency)
            refund_ids: list[str] = []
            ours = await refunds(api, orders, concurrency, refund_ids)
            stop.set()
            await sampler
        actions, events = await costs(client, refund_ids)
    finally:
        await stack.stop_all()
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"{count} each at {concurrency} concurrent clients, read model on {backend}")
    print("| side | per second | p99 of the call |")
    print("|---|---|---|")
    print(f"| one-activity workflow (`start_workflow`) | {trivial.rate:.1f} | {trivial.p99:.2f} s |")
    print(f"| refund to settling (`POST /refunds`) | {ours.rate:.1f} | {ours.p99:.2f} s |")
    print(f"| ratio | {ours.rate / trivial.rate:.2f}x | {ours.p99 / trivial.p99:.1f}x |")
    print(
        f"per refund until settling: at most {actions} billable actions (+2 when settled), "
        f"{events} history events (+6 when settled); POST /refunds p50 {statistics.median(ours.call_seconds):.2f} s"
    )
    print("peak RSS: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in sorted(peaks.items())))


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", help="A PostgreSQL read model (default: SQLite in a temporary directory).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="refund-compare-") as var_dir:
        asyncio.run(compare(args.count, args.concurrency, args.database_url, Path(var_dir)))


if __name__ == "__main__":
    main()
