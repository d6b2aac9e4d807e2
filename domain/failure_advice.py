"""What finance should do about a failed refund, by kind of failure: a retry is advised only where it can succeed."""

from __future__ import annotations

from enum import StrEnum


class NextStep(StrEnum):
    """The step that can help with a failure of this kind."""

    RETRY = "retry"  # nothing is wrong with the payment: Stripe may pay it on another attempt
    PAY_BY_HAND = "pay_by_hand"  # the card cannot take money back: pay the customer another way
    CHECK_FIRST = "check_first"  # a retry cannot succeed and paying by hand may pay twice: find out first
    FOLLOW_DISPUTE = "follow_dispute"  # the bank is deciding on the payment: the dispute settles the money


# Failure codes (Stripe's error codes when a create was refused, its refund.failure_reason when a refund failed later,
# and our own for calls that ended without an answer) and the step each needs.
STEP_BY_CODE: dict[str, NextStep] = {
    "stripe_unreachable": NextStep.RETRY,
    "stripe_errors_replayed": NextStep.RETRY,
    "rate_limit": NextStep.RETRY,
    "insufficient_funds": NextStep.RETRY,  # our Stripe balance was short: retry once it is topped up
    "balance_insufficient": NextStep.RETRY,
    "unknown": NextStep.RETRY,
    "expired_or_canceled_card": NextStep.PAY_BY_HAND,
    "lost_or_stolen_card": NextStep.PAY_BY_HAND,
    "declined": NextStep.PAY_BY_HAND,
    "card_declined": NextStep.PAY_BY_HAND,
    "resource_missing": NextStep.CHECK_FIRST,
    "charge_already_refunded": NextStep.CHECK_FIRST,
    "amount_too_large": NextStep.CHECK_FIRST,
    "merchant_request": NextStep.CHECK_FIRST,  # someone at our end cancelled it in Stripe: find out why first
    "charge_disputed": NextStep.FOLLOW_DISPUTE,
    "charge_for_pending_refund_disputed": NextStep.FOLLOW_DISPUTE,
}

ADVICE: dict[NextStep, str] = {
    NextStep.RETRY: (
        "Stripe could not pay this refund ({code}), and nothing about the payment stops a new attempt: retry it "
        "through Stripe with POST /refunds/{refund_id}/resolve-failure (action 'retry'), or pay the customer by hand "
        "and record the payout ('manual_payout' with its reference)."
    ),
    NextStep.PAY_BY_HAND: (
        "The customer's card cannot receive this refund ({code}), so a retry through Stripe would fail again: pay the "
        "customer another way (e.g. a bank transfer) and record it with POST /refunds/{refund_id}/resolve-failure "
        "(action 'manual_payout' with its reference)."
    ),
    NextStep.CHECK_FIRST: (
        "Stripe will not refund this payment ({code}): it is already refunded, does not exist, or has less left than "
        "this refund; a retry cannot succeed and paying by hand may pay the customer twice. Check the payment in "
        "Stripe first; if the customer has not been paid, pay by hand and record it with "
        "POST /refunds/{refund_id}/resolve-failure (action 'manual_payout' with its reference)."
    ),
    NextStep.FOLLOW_DISPUTE: (
        "The customer's bank is deciding a dispute on this payment ({code}), so Stripe cannot refund it and a retry "
        "would fail: follow the dispute (GET /disputes); if it is lost the customer has their money back, if it is "
        "won pay by hand and record it with POST /refunds/{refund_id}/resolve-failure (action 'manual_payout')."
    ),
}


def failure_code(failure_reason: str | None) -> str:
    """The code a failure reason starts with ('card_declined: ...' gives 'card_declined'); 'unknown' when none."""
    return (failure_reason or "").split(":", 1)[0].strip() or "unknown"


def next_step(failure_reason: str | None) -> NextStep:
    """The step that can help with this failure; an unknown code is advised like one a retry may fix."""
    return STEP_BY_CODE.get(failure_code(failure_reason), NextStep.RETRY)


def failure_advice(refund_id: str, failure_reason: str | None) -> str:
    """What finance should do about this failed refund, in a sentence naming the failure."""
    advice = ADVICE[next_step(failure_reason)]
    return advice.replace("{code}", failure_code(failure_reason)).replace("{refund_id}", refund_id)
