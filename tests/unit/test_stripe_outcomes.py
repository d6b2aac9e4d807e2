"""What a Stripe error proves, which of our Stripe refunds to follow, and when a manual payout would pay twice."""

from __future__ import annotations

import pytest

from domain.policy import RefusalCode, check_manual_payout_against_stripe
from domain.refund_messages import StripeRefundSnapshot
from domain.refunds import RefundStatus
from domain.stripe_errors import StripeOutcome, classify_stripe_error
from domain.stripe_lookup import active_refund, refund_of_attempt, refund_to_adopt


@pytest.mark.parametrize(
    ("http_status", "outcome"),
    [
        (None, StripeOutcome.UNKNOWN),  # timeout, dropped connection
        (500, StripeOutcome.UNKNOWN),  # even replayed with Stripe-Should-Retry: false
        (502, StripeOutcome.UNKNOWN),
        (503, StripeOutcome.UNKNOWN),
        (409, StripeOutcome.UNKNOWN),  # lock_timeout, idempotency key still in flight
        (429, StripeOutcome.RATE_LIMITED),
        (400, StripeOutcome.REFUSED),  # validation, charge_already_refunded, amount_too_large
        (401, StripeOutcome.REFUSED),
        (402, StripeOutcome.REFUSED),  # card errors
        (403, StripeOutcome.REFUSED),
        (404, StripeOutcome.REFUSED),
        (200, StripeOutcome.UNKNOWN),  # an error class with a success status proves nothing
    ],
)
def test_only_answers_proving_stripe_did_nothing_are_refusals(http_status, outcome) -> None:
    assert classify_stripe_error(http_status) is outcome


def snapshot(refund_id: str, status: str, attempt: int | None, created: int) -> StripeRefundSnapshot:
    return StripeRefundSnapshot(
        stripe_refund_id=refund_id, status=status, amount_minor=100, currency="eur", created=created, attempt=attempt
    )


FAILED_1 = snapshot("re_1", "failed", 1, 10)
SUCCEEDED_2 = snapshot("re_2", "succeeded", 2, 20)
PENDING_3 = snapshot("re_3", "pending", 3, 30)


def test_refund_of_attempt_is_that_attempts_whatever_its_status() -> None:
    assert refund_of_attempt([FAILED_1, SUCCEEDED_2], 1) == FAILED_1
    assert refund_of_attempt([FAILED_1, SUCCEEDED_2], 3) is None


def test_active_refund_is_the_newest_still_paying() -> None:
    assert active_refund([FAILED_1]) is None
    assert active_refund([FAILED_1, SUCCEEDED_2, PENDING_3]) == PENDING_3
    assert active_refund([snapshot("re_4", "canceled", 4, 40), SUCCEEDED_2]) == SUCCEEDED_2


def test_refund_to_adopt_prefers_this_attempt_then_any_still_paying() -> None:
    assert refund_to_adopt([FAILED_1, SUCCEEDED_2], 1) == FAILED_1
    assert refund_to_adopt([FAILED_1, SUCCEEDED_2], 3) == SUCCEEDED_2
    assert refund_to_adopt([FAILED_1], 2) is None
    assert refund_to_adopt([], 1) is None


def test_manual_payout_allowed_only_when_stripe_pays_nothing() -> None:
    allowed = check_manual_payout_against_stripe(None, None)
    assert allowed.allowed and allowed.next_status is RefundStatus.SETTLED
    refused = check_manual_payout_against_stripe("re_2", "succeeded")
    assert not refused.allowed and refused.refusal is RefusalCode.PAID_THROUGH_STRIPE
    assert "re_2 (succeeded)" in refused.message and "no manual payout was recorded" in refused.message
