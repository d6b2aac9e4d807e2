"""Whether a Stripe payment is the one an order says it was paid by: pure comparison, sentences for what differs."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import major_units


@dataclass(frozen=True)
class PaymentFacts:
    """What Stripe says about a PaymentIntent (amounts in minor units, currency as Stripe spells it)."""

    payment_intent_id: str
    status: str
    amount_received: int
    currency: str
    customer_id: str | None


@dataclass(frozen=True)
class ClaimedPayment:
    """What an order registration says it was paid by."""

    payment_intent_id: str
    amount_minor: int
    currency: str
    stripe_customer_id: str | None


def _money(amount_minor: int, currency: str) -> str:
    """'119.88 EUR'."""
    return f"{major_units(amount_minor, currency)} {currency.upper()}"


def payment_mismatches(claimed: ClaimedPayment, payment: PaymentFacts) -> list[str]:
    """Each way the payment differs from the order's claim, as a sentence; empty when the order may be registered."""
    if payment.status != "succeeded":
        # Nothing was received yet (or it was cancelled): amounts would only repeat that.
        return [f"payment {payment.payment_intent_id} has status {payment.status}, not succeeded: it was not paid"]
    mismatches = []
    if payment.currency.lower() != claimed.currency.lower():
        mismatches.append(
            f"payment {payment.payment_intent_id} was made in {payment.currency.upper()}, "
            f"not {claimed.currency.upper()}"
        )
    elif payment.amount_received != claimed.amount_minor:
        mismatches.append(
            f"payment {payment.payment_intent_id} received {_money(payment.amount_received, payment.currency)}, "
            f"not {_money(claimed.amount_minor, claimed.currency)}"
        )
    if claimed.stripe_customer_id is not None and payment.customer_id != claimed.stripe_customer_id:
        paid_by = f"Stripe customer {payment.customer_id}" if payment.customer_id else "no Stripe customer"
        mismatches.append(
            f"payment {payment.payment_intent_id} was made by {paid_by}, not {claimed.stripe_customer_id}"
        )
    return mismatches
