"""Stripe's test payment method tokens and what each card does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class CardProfile:
    """A test card and its scripted behaviour."""

    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    # Confirm fails with this error code/decline code and message.
    decline_code: str | None = None
    error_code: str = "card_declined"
    decline_message: str = "Your card was declined."
    # Refunds first report success, then fail asynchronously (like 4000000000005126).
    refund_fails: bool = False
    # A dispute with this status opens after the payment (like 4000000000000259 / ...1976).
    dispute_status: str | None = None

    @property
    def last4(self) -> str:
        """Last four digits."""
        return self.number[-4:]

    @property
    def fingerprint(self) -> str:
        """A stable card fingerprint, as Stripe gives the same card the same one."""
        return hashlib.sha256(self.number.encode()).hexdigest()[:16]


TEST_CARDS: dict[str, CardProfile] = {
    "pm_card_visa": CardProfile("4242424242424242", "visa"),
    "pm_card_visa_debit": CardProfile("4000056655665556", "visa", funding="debit"),
    "pm_card_mastercard": CardProfile("5555555555554444", "mastercard"),
    "pm_card_amex": CardProfile("378282246310005", "amex"),
    "pm_card_chargeDeclined": CardProfile("4000000000000002", "visa", decline_code="generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": CardProfile(
        "4000000000009995", "visa", decline_code="insufficient_funds", decline_message="Your card has insufficient funds."
    ),
    "pm_card_chargeDeclinedExpiredCard": CardProfile(
        "4000000000000069",
        "visa",
        decline_code="expired_card",
        error_code="expired_card",
        decline_message="Your card has expired.",
    ),
    "pm_card_refundFail": CardProfile("4000000000005126", "visa", refund_fails=True),
    "pm_card_createDispute": CardProfile("4000000000000259", "visa", dispute_status="needs_response"),
    "pm_card_createDisputeInquiry": CardProfile("4000000000001976", "visa", dispute_status="warning_needs_response"),
}

# Network reason code Visa/Mastercard/Amex use for a "fraudulent" dispute.
FRAUD_REASON_CODES = {"visa": "10.4", "mastercard": "4837", "amex": "F29"}
