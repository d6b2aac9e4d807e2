"""Every experiment by name, in the order a run goes through them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from benchmarks.chaos.experiments import Outcome, Run, api_kill, api_kill_in_request, temporal_restart, worker_kill
from benchmarks.chaos.stripe_faults import STRIPE_FAULTS, stripe_fault, webhook_temporal_down

EXPERIMENTS: dict[str, Callable[[Run], Awaitable[Outcome]]] = {
    "worker-kill": worker_kill,
    "temporal-restart": temporal_restart,
    "api-kill": api_kill,
    "api-kill-in-request": api_kill_in_request,
    **{kind: stripe_fault(kind) for kind in STRIPE_FAULTS},
    "webhook-temporal-down": webhook_temporal_down,
}
