"""Demo data on the embedded stack: real emulator payments, registered orders, and a refund request for each case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from cli.api_client import StaffApi
from stripe_emulator.testing import pay


@dataclass(frozen=True)
class DemoCase:
    """One way the policy treats a request: the order it needs and the reason given."""

    what: str
    reason: str
    plan_months: int
    amount_minor: int
    card: str = "pm_card_visa"
    activated: bool = True


CASES = (
    DemoCase("never activated: approved and paid at once", "not_activated", 3, 2997, activated=False),
    DemoCase("wrong plan chosen: waits for an approver", "wrong_plan", 12, 11988),
    DemoCase("technical issue: support troubleshoots first", "technical_issue", 1, 999),
    DemoCase("card used without consent: investigated", "unauthorized_transaction", 6, 5994),
    DemoCase("changed their mind: rejected, with the clause", "changed_mind", 1, 999),
    DemoCase("the card refuses the refund: finance pays by hand", "not_activated", 1, 999, "pm_card_refundFail", False),
)


@dataclass(frozen=True)
class DemoRefund:
    """One case as the demo left it."""

    case: str
    order_id: str
    refund_id: str
    decided_status: str
    decision: str


def _stripe(stripe_url: str, stripe_key: str) -> stripe.StripeClient:
    """A Stripe client for the emulator; a live key is refused, the demo makes real payments."""
    if not stripe_key.startswith("sk_test_"):
        raise ValueError("the demo makes payments: give it a test key (sk_test_...), never a live one")
    return stripe.StripeClient(stripe_key, base_addresses={"api": stripe_url})


def _paid_order(client: stripe.StripeClient, shop: StaffApi, run: str, n: int, case: DemoCase) -> dict[str, Any]:
    """A confirmed card payment in Stripe, registered as the shop's order."""
    customer_id = f"cus-demo-{run}-{n}"
    email = f"{customer_id}@example.com"
    customer = client.v1.customers.create({"email": email})
    intent = pay(client, case.amount_minor, "eur", case.card, customer.id)
    paid_at = datetime.fromtimestamp(intent.created, UTC)
    body = {
        "order_id": f"ord-demo-{run}-{n}",
        "customer_id": customer_id,
        "customer_email": email,
        "plan_months": case.plan_months,
        "amount_minor": case.amount_minor,
        "currency": "EUR",
        "payment_intent_id": intent.id,
        "paid_at": paid_at.isoformat(),
        "activated_at": (paid_at + timedelta(minutes=2)).isoformat() if case.activated else None,
    }
    order, _ = shop.post("/orders", body)
    return order


def run_demo(shop: StaffApi, support: StaffApi, stripe_url: str, stripe_key: str) -> list[DemoRefund]:
    """Make each case's payment, order and refund request; answers what the policy decided for each."""
    client = _stripe(stripe_url, stripe_key)
    run = uuid.uuid4().hex[:6]
    made: list[DemoRefund] = []
    for n, case in enumerate(CASES, start=1):
        order = _paid_order(client, shop, run, n, case)
        body = {"order_id": order["order_id"], "reason": case.reason, "note": f"demo: {case.what}"}
        created, _ = support.post("/refunds", body)
        decision = created.get("policy_decision") or {}
        made.append(
            DemoRefund(
                case=case.what,
                order_id=order["order_id"],
                refund_id=created["refund_id"],
                decided_status=created.get("decided_status") or created["status"],
                decision=decision.get("summary", ""),
            )
        )
    return made
