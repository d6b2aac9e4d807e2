"""After an experiment: wait (bounded) for things to settle, then compare every refund with Stripe's own refunds."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import stripe

from benchmarks.chaos.shop import SUPPORT, RefundRequest
from domain.refund_messages import RefundState, refund_workflow_id

# Where a refund may rest: anything else after the settle timeout is stuck.
STABLE = {"settling", "settled", "failed", "rejected", "resolved", "cancelled", "expired"}
PAID = {"settling", "settled"}  # Stripe succeeded
STRIPE_ACTIVE = {"succeeded", "pending", "requires_action"}  # money left (or is leaving) the account
SETTLE_POLL_S = 2.0
QUERY_TIMEOUT_S = 10.0


@dataclass
class Audit:
    """What one look at the API, the workflows and Stripe found for an experiment's requests."""

    requested: int = 0
    settled: int = 0
    failed: int = 0
    lost: int = 0
    duplicated: int = 0
    stuck: int = 0
    disagreeing: int = 0
    untracked: int = 0
    no_detail_5xx: int = 0
    findings: list[str] = field(default_factory=list)  # one line per problem, naming the refund

    @property
    def clean(self) -> bool:
        """Nothing that breaks the promise 'the status we show is what happened to the money'."""
        return not (self.lost or self.duplicated or self.stuck or self.disagreeing or self.untracked)


class Auditor:
    """Reads the API (read model), the workflow query and Stripe (through the SDK) for each order."""

    def __init__(self, api: httpx.AsyncClient, sdk: stripe.StripeClient, temporal_client) -> None:
        self.api = api
        self.sdk = sdk
        self.temporal = temporal_client  # a callable returning the current client (renewed after restarts)

    async def audit(self, requests: list[RefundRequest]) -> Audit:
        """Every request, refund and Stripe refund of these orders, judged."""
        result = Audit(requested=len(requests))
        by_order: dict[str, list[RefundRequest]] = defaultdict(list)
        for request in requests:
            by_order[request.order.order_id].append(request)
            result.no_detail_5xx += request.no_detail_5xx
        checks = [self._order(order_requests, result) for order_requests in by_order.values()]
        for chunk in range(0, len(checks), 8):  # a few orders at a time: the machine is shared
            await asyncio.gather(*checks[chunk : chunk + 8])
        return result

    async def _order(self, requests: list[RefundRequest], result: Audit) -> None:
        """Judge one order: its requests, its refunds in the API and in the workflows, its Stripe refunds."""
        order = requests[0].order
        listed = await self.api.get("/refunds", params={"order_id": order.order_id}, headers=SUPPORT, timeout=30)
        listed.raise_for_status()
        refunds = listed.json()["items"]
        ours = {refund["refund_id"] for refund in refunds}
        page = await asyncio.to_thread(
            self.sdk.v1.refunds.list, {"payment_intent": order.payment_intent_id, "limit": 100}
        )
        at_stripe = list(page.data)
        for request in requests:
            _judge_request(request, ours, result)
        for stripe_refund in at_stripe:
            tagged = _tag(stripe_refund)
            if tagged not in ours:
                result.lost += 1
                result.findings.append(
                    f"{order.order_id}: Stripe refund {stripe_refund.id} ({stripe_refund.status}) "
                    f"for refund {tagged}, unknown to the API"
                )
        active = [r for r in at_stripe if r.status in STRIPE_ACTIVE]
        if len(active) > 1:
            result.duplicated += 1
            result.findings.append(
                f"{order.order_id}: {len(active)} Stripe refunds {[r.id for r in active]}: refunded twice"
            )
        for refund in refunds:
            await self._refund(refund, [r for r in at_stripe if _tag(r) == refund["refund_id"]], result)

    async def _refund(self, refund: dict, at_stripe: list, result: Audit) -> None:
        """One refund: stable, read model equal to its workflow, status equal to what Stripe did with the money."""
        refund_id, status, stripe_id = refund["refund_id"], refund["status"], refund.get("stripe_refund_id")
        if status in PAID:
            result.settled += 1
        elif status == "failed":
            result.failed += 1
        stripe_view = ", ".join(f"{r.id} {r.status}" for r in at_stripe) or "no Stripe refund"
        if status not in STABLE:
            result.stuck += 1
            result.findings.append(f"{refund_id}: stuck in {status} (Stripe: {stripe_view})")
        problems = await self._workflow_disagrees(refund)
        by_id = {r.id: r for r in at_stripe}
        succeeded = [r for r in at_stripe if r.status in STRIPE_ACTIVE]
        if stripe_id and stripe_id not in by_id:
            problems.append(f"its Stripe refund {stripe_id} is not one Stripe holds for it")
        if status in PAID and not (stripe_id in by_id and by_id[stripe_id].status == "succeeded"):
            problems.append(f"{status} while Stripe has {stripe_view}")
        elif status == "failed" and succeeded:
            problems.append(f"failed (stripe_refund_id {stripe_id}) while Stripe holds {stripe_view}")
        elif status in STABLE - PAID - {"failed"} and succeeded:
            problems.append(f"{status} while Stripe holds {stripe_view}")
        if problems:
            result.disagreeing += 1
            result.findings.append(f"{refund_id}: " + "; ".join(problems))

    async def _workflow_disagrees(self, refund: dict) -> list[str]:
        """How the workflow's own state (query) differs from the read model."""
        try:
            handle = self.temporal().get_workflow_handle(refund_workflow_id(refund["refund_id"]))
            state = await asyncio.wait_for(handle.query("state", result_type=RefundState), QUERY_TIMEOUT_S)
        except Exception as error:  # not found, Temporal unreachable, query timeout: all worth reporting
            if refund["status"] not in STABLE:
                return []  # already reported stuck; a request whose workflow never started ends here
            return [f"workflow query failed: {type(error).__name__}: {str(error)[:120]}"]
        problems = []
        if state.status.value != refund["status"]:
            problems.append(f"read model says {refund['status']}, workflow says {state.status.value}")
        if state.stripe_refund_id != refund.get("stripe_refund_id"):
            problems.append(
                f"read model stripe_refund_id {refund.get('stripe_refund_id')}, workflow {state.stripe_refund_id}"
            )
        return problems


def _tag(stripe_refund) -> str | None:
    """Our refund id, from the Stripe refund's metadata."""
    return stripe_refund.metadata.to_dict().get("refund_id") if stripe_refund.metadata else None


def _judge_request(request: RefundRequest, ours: set[str], result: Audit) -> None:
    """Did the client's request end in a refund it knows, and does the API still have it?"""
    label = f"{request.order.order_id} ({'key' if request.idempotency_key else 'no key'})"
    if request.acknowledged and request.refund_id not in ours:
        result.lost += 1
        result.findings.append(f"{label}: acknowledged refund {request.refund_id} is missing from the API")
    elif request.refund_id is None and request.refused is None:
        if ours:
            result.untracked += 1
            result.findings.append(
                f"{label}: no definite answer after {len(request.answers)} tries; refunds {sorted(ours)} exist"
            )
        else:
            result.lost += 1
            result.findings.append(
                f"{label}: no definite answer after {len(request.answers)} tries and no refund appeared"
            )
    elif request.refused is not None and request.unknown_first and ours:
        # The first try may have started a refund; a retry must be told which (409 naming it), not refused.
        result.untracked += 1
        result.findings.append(
            f"{label}: first try {request.answers[0][0] or 'unanswered'}, "
            f"retry got {request.refused[:90]} while {sorted(ours)} exists"
        )
    elif request.refused is not None:
        result.findings.append(f"{label}: refused: {request.refused[:120]} (not counted)")


def _emulator_quiet(control) -> bool:
    """No timed Stripe transition (a refund about to fail) and no webhook still waiting to be delivered."""
    return not control.jobs() and not control.webhook_deliveries()["pending"]


async def settle(auditor: Auditor, requests: list[RefundRequest], control, timeout_s: float) -> tuple[Audit, float]:
    """Audit until all is stable and agrees with Stripe (and Stripe has nothing pending), or `timeout_s` passes."""
    started = time.monotonic()
    audit = Audit(requested=len(requests))
    while True:
        try:
            quiet = await asyncio.to_thread(_emulator_quiet, control)
            audit = await auditor.audit(requests)
        except (httpx.HTTPError, stripe.StripeError) as error:  # a part still restarting: look again
            quiet = False
            audit = Audit(requested=len(requests), findings=[f"audit incomplete: {type(error).__name__}: {error}"])
            audit.stuck = len(requests)  # unknown counts as not settled
        waited = time.monotonic() - started
        if (quiet and not audit.stuck and not audit.disagreeing) or waited >= timeout_s:
            return audit, waited
        await asyncio.sleep(SETTLE_POLL_S)
