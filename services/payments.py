"""Verifying with Stripe that an order was paid by the payment it names, before anything is recorded."""

from __future__ import annotations

import logging

import stripe

from domain.payments import ClaimedPayment, PaymentFacts, payment_mismatches
from domain.stripe_errors import StripeOutcome, classify_stripe_error
from services.errors import InvalidInput, Unavailable

log = logging.getLogger(__name__)
STRIPE_UNAVAILABLE = (
    "Stripe could not be asked whether payment {payment} was made, so the order was not registered; "
    "try again in a moment."
)


def verify_payment(client: stripe.StripeClient, claimed: ClaimedPayment) -> PaymentFacts:
    """The payment as Stripe has it, if it is the succeeded payment the order claims; InvalidInput says what differs."""
    payment = _read_payment(client, claimed.payment_intent_id)
    mismatches = payment_mismatches(claimed, payment)
    if mismatches:
        raise InvalidInput(
            "The order does not match its payment at Stripe: " + "; ".join(mismatches) + ".",
            code="payment_mismatch",
            errors=mismatches,
        )
    return payment


def _read_payment(client: stripe.StripeClient, payment_intent_id: str) -> PaymentFacts:
    """Retrieve the PaymentIntent; only Stripe's definite "no such payment" is the caller's error, the rest is a 503."""
    try:
        intent = client.v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as error:
        http_status = None if isinstance(error, stripe.APIConnectionError) else error.http_status
        if classify_stripe_error(http_status) is StripeOutcome.REFUSED and error.code == "resource_missing":
            raise InvalidInput(
                f"Stripe has no payment {payment_intent_id}; give the payment intent the customer paid this order with",
                code="payment_not_found",
            ) from error
        # Unreachable, rate-limited, or refusing our own key: not the shop's fault, and never an unverified order.
        log.warning(
            "stripe payment not verified",
            extra={"payment_intent_id": payment_intent_id, "error": type(error).__name__, "status": http_status},
        )
        raise Unavailable(STRIPE_UNAVAILABLE.format(payment=payment_intent_id)) from error
    customer = intent.customer
    return PaymentFacts(
        payment_intent_id=intent.id,
        status=intent.status,
        amount_received=intent.amount_received,
        currency=intent.currency,
        customer_id=customer if isinstance(customer, str) or customer is None else customer.id,
    )
