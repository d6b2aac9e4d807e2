"""Stripe's webhook signatures: ours, and made within five minutes of now on either side."""

from __future__ import annotations

import time

import stripe

from services.stripe_objects import StripeEventEnvelope, parse_event

# Stripe's default tolerance: a signature older than this is a replay, and one this far ahead was not made now.
SIGNATURE_TOLERANCE_S = 300


def verified_event(payload: bytes, header: str, secret: str, *, now: float | None = None) -> StripeEventEnvelope:
    """The event, when signed with our secret at most 300 s before or after now; SignatureVerificationError if not.

    A payload signed by us that is not a readable event raises InvalidInput (services.stripe_objects.parse_event).
    """
    stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=SIGNATURE_TOLERANCE_S)
    # The SDK refuses only old timestamps; one far ahead would stay replayable until long after it was captured.
    signed_at = _timestamp(header)
    if signed_at > (time.time() if now is None else now) + SIGNATURE_TOLERANCE_S:
        raise stripe.SignatureVerificationError(
            f"Timestamp {signed_at} is more than {SIGNATURE_TOLERANCE_S} s in the future", header, payload
        )
    return parse_event(payload)


def _timestamp(header: str) -> int:
    """The `t=` of `Stripe-Signature: t=<ts>,v1=<hex>` (the SDK already checked it is there and an integer)."""
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise stripe.SignatureVerificationError("Unable to extract timestamp and signatures from header", header)
