"""Finance is advised by the kind of failure: a retry only where it can succeed, never a second payment blindly."""

from __future__ import annotations

import pytest

from domain.failure_advice import NextStep, failure_advice, failure_code, next_step


@pytest.mark.parametrize(
    ("failure_reason", "step"),
    [
        ("resource_missing: No such payment_intent: 'pi_gone'", NextStep.CHECK_FIRST),
        ("charge_already_refunded: Charge ch_1 has already been refunded.", NextStep.CHECK_FIRST),
        ("charge_disputed: Charge ch_1 has been charged back", NextStep.FOLLOW_DISPUTE),
        ("expired_or_canceled_card", NextStep.PAY_BY_HAND),
        ("lost_or_stolen_card", NextStep.PAY_BY_HAND),
        ("stripe_unreachable: Stripe did not complete the refund within 1 hour", NextStep.RETRY),
        ("insufficient_funds", NextStep.RETRY),
        ("something_new_from_stripe: ...", NextStep.RETRY),
        (None, NextStep.RETRY),
    ],
)
def test_each_kind_of_failure_gets_the_step_that_can_help(failure_reason: str | None, step: NextStep) -> None:
    assert next_step(failure_reason) is step


@pytest.mark.parametrize(
    "failure_reason", ["resource_missing: gone", "charge_already_refunded: done", "charge_disputed"]
)
def test_no_retry_is_suggested_where_it_cannot_succeed(failure_reason: str) -> None:
    advice = failure_advice("rf_1", failure_reason)
    assert "'retry'" not in advice
    assert "a retry cannot succeed" in advice or "a retry would fail" in advice
    assert failure_code(failure_reason) in advice


def test_a_card_that_cannot_take_money_back_is_paid_by_hand() -> None:
    advice = failure_advice("rf_9", "lost_or_stolen_card")
    assert "POST /refunds/rf_9/resolve-failure" in advice and "'manual_payout'" in advice and "'retry'" not in advice


def test_a_failure_nothing_about_the_payment_explains_may_be_retried() -> None:
    advice = failure_advice("rf_2", "stripe_unreachable: no answer")
    assert "(action 'retry')" in advice and "stripe_unreachable" in advice and "{" not in advice
