"""Benchmark the Stripe emulator's storage: write latency at 100,000 objects, and restart time.

    .venv/bin/python -m benchmarks.emulator_storage [--objects 100000] [--writes 300]

1. Fills a fresh state file (temp dir) to `--objects` objects in-process, by calling the emulator's own
   resource handlers (the code the API runs, minus HTTP) and saving through its storage layer, with an
   idempotency record per write as the service's keyed writes leave. Much faster than ~18,000 HTTP
   writes, and the same records.
2. Starts `python -m stripe_emulator` on it (free port; timed until `/_emulator/health` answers) and a
   second one on an empty state file, checks through the API that the filled objects are served, then
   runs the same rounds against both, alternating, so both see the same load from other processes:
   a confirmed PaymentIntent and a refund of it, each with an Idempotency-Key, through the official
   `stripe` SDK, with the intent's refunds listed in between as the refund service does.
3. Restarts the filled one twice (SIGTERM, then start until it answers).

Targets (issue 9): p99 write < 20 ms at 100,000 objects, restart < 5 s. Bounded: at most `--writes`
iterations per phase. Every figure is wall-clock time measured by the client, SDK overhead included.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import stripe

from stripe_emulator import idempotency
from stripe_emulator.context import Ctx
from stripe_emulator.engine import Emulator
from stripe_emulator.resources import payment_intents, refunds
from stripe_emulator.settings import EmulatorSettings
from stripe_emulator.storage import take_changes
from stripe_emulator.testing import RunningEmulator, card_payment, run_emulator

SETTINGS = {"rate_limit": 0}
WARM_UP = 10
TARGET_WRITE_P99_MS, TARGET_RESTART_S = 20.0, 5.0


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@contextmanager
def started(state_file: Path) -> Iterator[tuple[RunningEmulator, float]]:
    """The emulator on the state file, and the seconds from launch until it answered its health check."""
    began = time.monotonic()
    with run_emulator(state_file=state_file, settings=SETTINGS, startup_timeout=120) as emulator:
        yield emulator, time.monotonic() - began


def new_timings() -> dict[str, list[float]]:
    """Milliseconds per operation."""
    return {"payment_intent": [], "list_refunds": [], "refund": []}


def one_round(client: stripe.StripeClient, timings: dict[str, list[float]] | None) -> None:
    """A keyed confirmed PaymentIntent, the list of its refunds and a keyed refund, as the service sends them."""
    run = uuid.uuid4().hex
    began = time.perf_counter()
    intent = client.v1.payment_intents.create(
        params=card_payment(2500, "usd", "pm_card_visa"),
        options={"idempotency_key": f"pay-{run}"},
    )  # fmt: skip
    paid = time.perf_counter()
    client.v1.refunds.list(params={"payment_intent": intent.id, "limit": 100})
    listed = time.perf_counter()
    client.v1.refunds.create(
        params={"payment_intent": intent.id, "metadata": {"refund_id": run}}, options={"idempotency_key": f"re-{run}"}
    )
    refunded = time.perf_counter()
    if timings is not None:
        timings["payment_intent"].append((paid - began) * 1000)
        timings["list_refunds"].append((listed - paid) * 1000)
        timings["refund"].append((refunded - listed) * 1000)


def measure_side_by_side(small: RunningEmulator, large: RunningEmulator, count: int) -> tuple[dict, dict]:
    """The same rounds against both emulators, alternating, so both see the same load from other processes."""
    clients = (small.stripe_client(), large.stripe_client())
    results = (new_timings(), new_timings())
    for n in range(WARM_UP + count):
        order = (0, 1) if n % 2 == 0 else (1, 0)
        for side in order:
            one_round(clients[side], results[side] if n >= WARM_UP else None)
    return results


def fill(state_file: Path, objects: int) -> tuple[int, list[str], float]:
    """Add payments and refunds through the emulator's handlers until it holds `objects`; returns count, refund IDs."""
    began = time.monotonic()
    emu = Emulator(EmulatorSettings(), state_file=state_file)
    store = emu.state_file
    assert store is not None
    state, refund_ids = emu.state, []

    def keyed(handler, params, path):
        key = uuid.uuid4().hex
        scope = idempotency.scope_key("sk_test_benchmark", key)
        ctx = Ctx(emu, request_id=f"req_{key[:14]}", idempotency_key=key)
        idempotency.begin(state, scope, "POST", path, key, ctx.request_id)
        body = handler(ctx, params)
        idempotency.save(state, scope, 200, body, {})
        return body

    total = lambda: sum(map(len, state.objects.values()))  # noqa: E731
    while total() < objects:
        for _ in range(200):
            intent = keyed(
                payment_intents.create,
                {"amount": "2500", "currency": "usd", "payment_method": "pm_card_visa",
                 "payment_method_types": ["card"], "confirm": "true"},
                "/v1/payment_intents",
            )  # fmt: skip
            refund = keyed(refunds.create, {"payment_intent": intent["id"], "amount": "500"}, "/v1/refunds")
            refund_ids.append(refund["id"])
        store.commit(take_changes(state), state.seq)
        store.checkpoint()
    store.close()
    return total(), refund_ids, time.monotonic() - began


def row(name: str, values: list[float]) -> str:
    """One table line of latency percentiles."""
    p50, p95, p99 = (percentile(values, f) for f in (0.50, 0.95, 0.99))
    return f"| {name:<44} | {len(values):>5} | {p50:>7.2f} | {p95:>7.2f} | {p99:>7.2f} | {max(values):>7.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000, help="Objects to hold before measuring.")
    parser.add_argument("--writes", type=int, default=300, help="Payment + refund pairs measured per phase.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emulator-storage-") as workdir:
        state_file = Path(workdir) / "stripe-emulator.sqlite3"
        count, refund_ids, fill_s = fill(state_file, args.objects)
        restarts: list[tuple[float, Any, float]] = []
        with started(Path(workdir) / "empty.sqlite3") as (small, _), started(state_file) as (emulator, first_start_s):
            health = emulator.control.health()["objects"]
            client = emulator.stripe_client()
            sample = random.sample(refund_ids, 20)
            assert all(client.v1.refunds.retrieve(r).amount == 500 for r in sample), "filled refunds are served"
            load_before = os.getloadavg()[0]
            empty, full = measure_side_by_side(small, emulator, args.writes)
            load_after = os.getloadavg()[0]
            after_writes = sum(health.values()) + 11 * (WARM_UP + args.writes)
        for _ in range(2):
            began = time.monotonic()
            with started(state_file) as (emulator, start_s):
                objects = emulator.control.health()["objects"]
            restarts.append((start_s, objects, time.monotonic() - began - start_s))
        size_mb = sum(p.stat().st_size for p in Path(workdir).glob("stripe-emulator.sqlite3*")) / 1e6

    served = sum(health.values())
    print(f"objects: {count} filled in-process in {fill_s:.1f} s; {served} served after start; "
          f"state file {size_mb:.0f} MB")  # fmt: skip
    print(f"after the measured writes: {sum(restarts[-1][1].values())} objects (expected {after_writes})")
    print(f"load average (1 min) of this shared machine: {load_before:.2f} before, {load_after:.2f} after the rounds")
    print()
    print(
        f"| {'operation (ms, client-side, SDK)':<44} | {'n':>5} | {'p50':>7} | {'p95':>7} | {'p99':>7} | {'max':>7} |"
    )
    print(f"|{'-' * 46}|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for label, timings in (("empty state", empty), (f"{served:,} objects", full)):
        print(row(f"{label}: create PI (confirm)", timings["payment_intent"]))
        print(row(f"{label}: create refund", timings["refund"]))
        print(row(f"{label}: all writes", timings["payment_intent"] + timings["refund"]))
        print(row(f"{label}: list refunds by PI (read)", timings["list_refunds"]))
    print()
    writes_full = full["payment_intent"] + full["refund"]
    writes_empty = empty["payment_intent"] + empty["refund"]
    ratio = statistics.median(writes_full) / statistics.median(writes_empty)
    print(f"write p50 at {served:,} objects / empty: {ratio:.2f}x")
    print(f"start on the filled file: {first_start_s:.2f} s (launch until /_emulator/health answers)")
    for n, (start_s, _, stop_s) in enumerate(restarts, 1):
        print(f"restart {n}: SIGTERM to exit {stop_s:.2f} s, start until answering {start_s:.2f} s, "
              f"total {stop_s + start_s:.2f} s")  # fmt: skip
    p99 = percentile(writes_full, 0.99)
    worst_restart = max(start + stop for start, _, stop in restarts)
    print(f"\ntarget p99 write < {TARGET_WRITE_P99_MS:.0f} ms: {p99:.2f} ms "
          f"{'OK' if p99 < TARGET_WRITE_P99_MS else 'MISSED'}; "
          f"target restart < {TARGET_RESTART_S:.0f} s: {worst_restart:.2f} s "
          f"{'OK' if worst_restart < TARGET_RESTART_S else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
