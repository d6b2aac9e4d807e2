"""What a Stripe error tells us about the money: Stripe did nothing, asks us to slow down, or may have acted."""

from __future__ import annotations

from enum import StrEnum


class StripeOutcome(StrEnum):
    """The three things a failed Stripe call can mean."""

    REFUSED = "refused"  # a definite answer: Stripe did nothing and never will for this request
    RATE_LIMITED = "rate_limited"  # Stripe turned the request away before acting: send the same one later
    UNKNOWN = "unknown"  # Stripe may have acted, or may still act: find out before deciding anything


# Stripe's documented error codes for refunds that will never succeed as asked. Kept as the retry policy's backstop
# (non-retryable types); the activity already raises every refusal non-retryable on its own.
PERMANENT_STRIPE_ERRORS = frozenset(
    {
        "charge_already_refunded",
        "amount_too_large",
        "charge_disputed",
        "refund_disputed_payment",
        "charge_expired_for_capture",
        "resource_missing",
        "parameter_invalid_integer",
        "parameter_missing",
        "parameter_unknown",
        "idempotency_error",
        "invalid_request",
        "authentication_error",
        "permission_error",
    }
)

# Refused because the money is already out: only final once we checked the refund out there is not our own.
ALREADY_REFUNDED_ERRORS = frozenset({"charge_already_refunded", "amount_too_large"})

# The type our activities raise for an unknown outcome; deliberately not a Stripe code, so no retry policy stops it.
OUTCOME_UNKNOWN = "stripe_outcome_unknown"


def classify_stripe_error(http_status: int | None) -> StripeOutcome:
    """Only an answer that proves Stripe did nothing is a refusal; a 5xx is unknown even when Stripe says not to retry.

    `http_status` is None when no answer came (timeout, dropped connection). 409 is a lock or an idempotency key
    still in flight: the request that holds it may be acting right now. `Stripe-Should-Retry: false` on a 5xx only
    says a retry with the same key replays the same error, not that nothing happened.
    """
    if http_status is None or http_status >= 500 or http_status == 409:
        return StripeOutcome.UNKNOWN
    if http_status == 429:
        return StripeOutcome.RATE_LIMITED
    if 400 <= http_status < 500:
        return StripeOutcome.REFUSED  # validation, card errors, authentication, already refunded: decided before acting
    return StripeOutcome.UNKNOWN
