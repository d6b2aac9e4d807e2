"""The experiments, each a bounded fault injected into a burst of refund requests; selectable by name."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from benchmarks.chaos.measure import PAID, Auditor
from benchmarks.chaos.options import ChaosOptions
from benchmarks.chaos.shop import SUPPORT, Order, RefundRequest, paid_orders, request_refund, stripe_client, with_key
from benchmarks.chaos.stack import WORKERS, ChaosStack
from stripe_emulator.control import EmulatorControl


@dataclass
class Outcome:
    """What an experiment did: its requests (recovery probes included), recovery times, remarks."""

    requests: list[RefundRequest] = field(default_factory=list)
    recoveries: list[float | None] = field(
        default_factory=list
    )  # None: no new refund succeeded within the settle timeout
    notes: list[str] = field(default_factory=list)


class Run:
    """What every experiment works with: the stack, clients of the API, Stripe and the emulator's control API."""

    def __init__(self, stack: ChaosStack, options: ChaosOptions) -> None:
        self.stack = stack
        self.options = options
        self.api = httpx.AsyncClient(base_url=stack.api_url, timeout=30)
        self.sdk = stripe_client(stack.emulator_url)
        self.control = EmulatorControl(stack.emulator_url)
        self.auditor = Auditor(self.api, self.sdk, lambda: stack.temporal)
        self.rng = random.Random(options.seed)

    async def orders(self, count: int, card: str = "pm_card_visa") -> list[Order]:
        """Paid orders, registered before any fault is injected."""
        return await paid_orders(self.api, self.sdk, count, card)

    async def close(self) -> None:
        """Close the clients."""
        await self.api.aclose()
        self.control.close()


async def burst(run: Run, name: str, orders: list[Order], probe: Order | None = None,
                fault: Callable[[], Awaitable[float]] | None = None,
                trigger_share: float = 0.5) -> Outcome:  # fmt: skip
    """Request refunds for `orders` at the configured rate; `fault` runs once `trigger_share` of them have started.

    `fault` returns the time (epoch seconds) it ended; a recovery probe on `probe` starts then.
    """
    opts = run.options
    requests = [
        RefundRequest(order, f"chaos-{uuid.uuid4().hex}" if with_key(i, opts.keyed_share) else None, name)
        for i, order in enumerate(orders)
    ]
    trigger_index = min(int(len(requests) * trigger_share), max(len(requests) - 1, 0))
    triggered = asyncio.Event()
    gate = asyncio.Semaphore(opts.concurrency)

    async def one(index: int, request: RefundRequest) -> None:
        await asyncio.sleep(index / opts.rate_per_s)
        async with gate:
            if index >= trigger_index:
                triggered.set()
            await request_refund(run.api, request, opts.give_up_after_s)

    tasks = [asyncio.create_task(one(i, r)) for i, r in enumerate(requests)]
    if not tasks:
        triggered.set()
    outcome = Outcome(requests=list(requests))
    probing = None
    if fault is not None:
        await triggered.wait()
        fault_end = await fault()
        if probe is not None:
            probing = asyncio.create_task(recovery_probe(run, name, probe, fault_end))
    await asyncio.gather(*tasks)
    if probing is not None:
        request, seconds = await probing
        outcome.requests.append(request)
        outcome.recoveries.append(seconds)
    return outcome


async def recovery_probe(run: Run, name: str, order: Order, fault_end: float) -> tuple[RefundRequest, float | None]:
    """A new refund requested when the fault ends: seconds until Stripe succeeded for it, end to end."""
    request = RefundRequest(order, f"probe-{uuid.uuid4().hex}", name, probe=True)
    await request_refund(run.api, request, run.options.give_up_after_s)
    deadline = time.monotonic() + run.options.settle_timeout_s
    while request.refund_id and time.monotonic() < deadline:
        try:
            response = await run.api.get(f"/refunds/{request.refund_id}", headers=SUPPORT)
            if response.status_code == 200 and response.json()["status"] in PAID:
                # 0 when a new refund succeeded even before the fault ended
                # (a slow answer holds up only its own refund).
                return request, max(0.0, time.time() - fault_end)
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    return request, None


def merge(total: Outcome, part: Outcome) -> None:
    """Add one repetition's outcome to the experiment's."""
    total.requests += part.requests
    total.recoveries += part.recoveries
    total.notes += part.notes


# ---- process faults -------------------------------------------------------------------------------


async def worker_kill(run: Run) -> Outcome:
    """SIGKILL a worker mid-burst, restart it after a moment."""
    total = Outcome()
    for i in range(run.options.worker_kills):
        *orders, probe = await run.orders(run.options.burst_size + 1)
        name = WORKERS[i % len(WORKERS)]

        async def fault(name: str = name) -> float:
            await run.stack.kill(name)
            await asyncio.sleep(run.options.worker_down_s)
            await run.stack.start(name)
            return time.time()

        merge(total, await burst(run, "worker-kill", orders, probe, fault))
    total.notes.append(f"{run.options.worker_kills} worker SIGKILLs, each down {run.options.worker_down_s:g}s")
    return total


async def temporal_restart(run: Run) -> Outcome:
    """Stop the Temporal server mid-burst for N seconds, then start it again on its database file."""
    total = Outcome()
    for down_s in run.options.temporal_downs_s:
        *orders, probe = await run.orders(run.options.burst_size + 1)

        async def fault(down_s: float = down_s) -> float:
            await run.stack.stop("temporal")
            await asyncio.sleep(down_s)
            await run.stack.start("temporal")
            return time.time()

        merge(total, await burst(run, "temporal-restart", orders, probe, fault))
    total.notes.append(f"Temporal stopped for {', '.join(f'{d:g}s' for d in run.options.temporal_downs_s)}")
    return total


async def api_kill(run: Run) -> Outcome:
    """SIGKILL the API mid-burst and restart it; clients retry (same key when they sent one)."""
    total = Outcome()
    for _ in range(run.options.api_kills):
        *orders, probe = await run.orders(run.options.burst_size + 1)

        async def fault() -> float:
            await run.stack.kill("api")
            await run.stack.start("api")
            return time.time()

        merge(total, await burst(run, "api-kill", orders, probe, fault))
    total.notes.append(f"{run.options.api_kills} API SIGKILLs mid-burst")
    return total


async def api_kill_in_request(run: Run) -> Outcome:
    """SIGKILL the API 5-150 ms into one refund request (while it is in flight), restart it; the client retries."""
    total = Outcome()
    landed = 0
    (warm_up,) = await run.orders(1)
    latency_s = await _request_latency(run, warm_up, total)
    for i in range(run.options.api_request_kills):
        order, probe = await run.orders(2)
        # Keyed and keyless alternately: a keyless retry must be told which refund its first try opened.
        request = RefundRequest(order, f"chaos-{uuid.uuid4().hex}" if i % 2 == 0 else None, "api-kill-in-request")
        asking = asyncio.create_task(request_refund(run.api, request, run.options.give_up_after_s))
        # Within 5-150 ms, but before the usual answer time, or the kill would land after the answer.
        await asyncio.sleep(run.rng.uniform(0.005, min(0.150, max(0.006, 0.9 * latency_s))))
        await run.stack.kill("api")
        await run.stack.start("api")
        fault_end = time.time()
        probe_request, seconds = await recovery_probe(run, "api-kill-in-request", probe, fault_end)
        if probe_request.first_answer_at:
            latency_s = probe_request.first_answer_at - probe_request.started_at
        await asyncio.wait_for(asking, run.options.give_up_after_s + 60)
        landed += request.answers[0][0] is None
        merge(total, Outcome([request, probe_request], [seconds]))
    total.notes.append(
        f"{landed} of {run.options.api_request_kills} kills cut the request off (the others came after its answer)"
    )
    return total


async def _request_latency(run: Run, order: Order, total: Outcome) -> float:
    """How long an undisturbed refund request takes now (the request is kept and audited)."""
    request = RefundRequest(order, f"warm-up-{uuid.uuid4().hex}", "api-kill-in-request", probe=True)
    await request_refund(run.api, request, run.options.give_up_after_s)
    total.requests.append(request)
    return (request.first_answer_at or time.time()) - request.started_at
