"""Stripe's side of chaos: POST /v1/refunds faults via the emulator; a refund.failed webhook while Temporal is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from benchmarks.chaos.experiments import Outcome, Run, burst, merge, recovery_probe
from benchmarks.chaos.measure import PAID
from benchmarks.chaos.shop import SUPPORT, RefundRequest

REFUND_FAIL_CARD = "pm_card_refundFail"

# ---- Stripe faults (the emulator's fault API, on POST /v1/refunds) ---------------------------------

STRIPE_FAULTS: dict[str, dict] = {
    "stripe-500-before": {"status": 500, "when": "before"},
    "stripe-500-after": {"status": 500, "when": "after"},
    "stripe-500-after-replayed": {"status": 500, "when": "after", "idempotent_replay": True},
    "stripe-429": {"status": 429, "when": "before"},
    "stripe-drop-before": {"drop_connection": True, "when": "before"},
    "stripe-drop-after": {"drop_connection": True, "when": "after"},
    "stripe-latency": {},  # latency_ms and `when` chosen per repetition
}
FAULT_CONSUMED_WITHIN_S = 60.0


def stripe_fault(kind: str) -> Callable[[Run], Awaitable[Outcome]]:
    """An experiment arming one `kind` fault per repetition, then sending a few refunds into it."""

    async def experiment(run: Run) -> Outcome:
        total = Outcome()
        for repetition in range(run.options.stripe_fault_repeats):
            spec = dict(STRIPE_FAULTS[kind], method="POST", path="/v1/refunds", count=1)
            if kind == "stripe-latency":
                low, high = run.options.latency_s
                spec |= {
                    "latency_ms": int(run.rng.uniform(low, high) * 1000),
                    "when": ("after", "before")[repetition % 2],
                }
            *orders, probe = await run.orders(run.options.stripe_fault_burst + 1)
            armed = await asyncio.to_thread(run.control.add_fault, **spec)

            async def consumed(armed: dict = armed, spec: dict = spec) -> float:
                deadline = time.monotonic() + FAULT_CONSUMED_WITHIN_S
                while any(f["id"] == armed["id"] for f in await asyncio.to_thread(run.control.faults)):
                    if time.monotonic() > deadline:
                        total.notes.append(f"fault {spec} was never hit; removed")
                        await asyncio.to_thread(run.control.clear_faults)
                        break
                    await asyncio.sleep(0.05)
                # A slow answer ends when its delay does.
                return time.time() + armed.get("latency_ms", 0) / 1000

            merge(total, await burst(run, kind, orders, probe, consumed, trigger_share=0))
            total.notes.append(f"fault { ({k: v for k, v in spec.items() if k not in ('method', 'path', 'count')}) }")
        return total

    experiment.__doc__ = f"Stripe fault {STRIPE_FAULTS[kind] or 'latency'} on POST /v1/refunds."
    return experiment


# ---- a webhook while Temporal is down -------------------------------------------------------------


async def webhook_temporal_down(run: Run) -> Outcome:
    """Refunds Stripe fails later (pm_card_refundFail); Temporal is down when their refund.failed webhooks arrive."""
    opts = run.options
    orders = await run.orders(opts.webhook_refunds, REFUND_FAIL_CARD)
    (probe,) = await run.orders(1)
    total = await burst(run, "webhook-temporal-down", orders)
    stripe_ids = await _wait_settling(run, total.requests, timeout_s=opts.refund_failure_delay_s + 20)
    total.notes.append(f"{len(stripe_ids)} of {len(orders)} reached settling before Temporal was stopped")
    await run.stack.stop("temporal")
    attempts = await _failed_webhook_attempts(run, stripe_ids, timeout_s=opts.refund_failure_delay_s + 30)
    answers = sorted({str(a["status"] or a["error"]) for a in attempts})
    total.notes.append(f"refund.failed delivered {len(attempts)} times while Temporal was down, answered {answers}")
    await asyncio.sleep(opts.webhook_down_extra_s)
    await run.stack.start("temporal")
    request, seconds = await recovery_probe(run, "webhook-temporal-down", probe, time.time())
    total.requests.append(request)
    total.recoveries.append(seconds)
    return total


async def _wait_settling(run: Run, requests: list[RefundRequest], timeout_s: float) -> set[str]:
    """The Stripe refund ids of these requests' refunds once each is settling (or the timeout passed)."""
    deadline = time.monotonic() + timeout_s
    found: dict[str, str] = {}
    while time.monotonic() < deadline and len(found) < len(requests):
        for request in requests:
            if request.refund_id and request.refund_id not in found:
                refund = (await run.api.get(f"/refunds/{request.refund_id}", headers=SUPPORT)).json()
                if refund.get("status") in PAID:
                    found[request.refund_id] = refund["stripe_refund_id"]
        await asyncio.sleep(0.2)
    return set(found.values())


async def _failed_webhook_attempts(run: Run, stripe_ids: set[str], timeout_s: float) -> list[dict]:
    """Delivery attempts of the refund.failed events of these Stripe refunds, once each has had one."""
    deadline = time.monotonic() + timeout_s
    while True:
        events = await asyncio.to_thread(run.sdk.v1.events.list, {"type": "refund.failed", "limit": 100})
        event_ids = {e.id for e in events.data if e.data.object["id"] in stripe_ids}
        log = (await asyncio.to_thread(run.control.webhook_deliveries))["attempts"]
        attempts = [a for a in log if a["event"] in event_ids]
        if (
            {a["event"] for a in attempts} >= event_ids and len(event_ids) == len(stripe_ids)
        ) or time.monotonic() > deadline:
            return attempts
        await asyncio.sleep(0.2)
