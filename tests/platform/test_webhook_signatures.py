"""A Stripe signature counts within 300 s of now on either side (issue 11, item 7): the SDK checks only the past."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
import stripe

from services.stripe_signatures import verified_event

SECRET = "whsec_test_signatures"
PAYLOAD = json.dumps(
    {"id": "evt_test_1", "object": "event", "type": "refund.failed", "created": 1_700_000_000, "data": {"object": {}}}
).encode()


def header(signed_at: int, secret: str = SECRET) -> str:
    """`Stripe-Signature` as Stripe makes it."""
    digest = hmac.new(secret.encode(), f"{signed_at}.".encode() + PAYLOAD, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


@pytest.mark.parametrize("offset", [-290, 0, 290], ids=["a little old", "now", "a clock a little ahead"])
def test_a_signature_made_around_now_is_accepted(offset: int) -> None:
    now = int(time.time())
    assert verified_event(PAYLOAD, header(now + offset), SECRET, now=now).id == "evt_test_1"


@pytest.mark.parametrize("offset", [-310, 310, 86_400], ids=["stale", "ahead", "a day ahead"])
def test_a_signature_made_more_than_300_s_away_is_refused(offset: int) -> None:
    now = int(time.time())
    with pytest.raises(stripe.SignatureVerificationError):
        verified_event(PAYLOAD, header(now + offset), SECRET, now=now)
