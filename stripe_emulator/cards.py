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
    # The parameter a decline names (Stripe sends `param: "cvc"` for incorrect_cvc).
    decline_param: str | None = None
    # Refunds start `pending` and succeed later (like 4000000000007726).
    refund_pending: bool = False
    # Refunds first report success, then fail asynchronously (like 4000000000005126).
    refund_fails: bool = False
    # A dispute with this status and reason opens after the payment (like 4000000000000259 / ...1976).
    dispute_status: str | None = None
    dispute_reason: str = "fraudulent"
    # How many disputes the charge receives, each opening once the previous one closed (4000000404000079).
    dispute_count: int = 1
    # The issuer reports fraud: an early fraud warning follows the payment (4000000000005423).
    early_fraud_warning: bool = False

    @property
    def last4(self) -> str:
        """Last four digits."""
        return self.number[-4:]

    @property
    def fingerprint(self) -> str:
        """A stable card fingerprint, as Stripe gives the same card the same one."""
        return hashlib.sha256(self.number.encode()).hexdigest()[:16]


def _declined(number: str, code: str, message: str = "Your card was declined.", **kwargs) -> CardProfile:
    """A Visa test card whose confirmation is declined with `code` (decline code, and the error code unless given)."""
    return CardProfile(number, "visa", decline_code=code, decline_message=message, **kwargs)


_DECLINES: dict[str, CardProfile] = {
    "chargeDeclined": _declined("4000000000000002", "generic_decline"),
    "chargeDeclinedInsufficientFunds": _declined(
        "4000000000009995", "insufficient_funds", "Your card has insufficient funds."
    ),
    "chargeDeclinedLostCard": _declined("4000000000009987", "lost_card"),
    "chargeDeclinedStolenCard": _declined("4000000000009979", "stolen_card"),
    "chargeDeclinedExpiredCard": _declined(
        "4000000000000069", "expired_card", "Your card has expired.", error_code="expired_card"
    ),
    "chargeDeclinedIncorrectCvc": _declined(
        "4000000000000127",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
        error_code="incorrect_cvc",
        decline_param="cvc",
    ),
    "chargeDeclinedProcessingError": _declined(
        "4000000000000119",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
        error_code="processing_error",
    ),
}

TEST_CARDS: dict[str, CardProfile] = {
    "pm_card_visa": CardProfile("4242424242424242", "visa"),
    "pm_card_visa_debit": CardProfile("4000056655665556", "visa", funding="debit"),
    "pm_card_mastercard": CardProfile("5555555555554444", "mastercard"),
    "pm_card_amex": CardProfile("378282246310005", "amex"),
    # Stripe's docs name some decline tokens `pm_card_visa_chargeDeclined...` and others `pm_card_chargeDeclined...`;
    # both spellings are accepted for each.
    **{f"pm_card_{name}": card for name, card in _DECLINES.items()},
    **{f"pm_card_visa_{name}": card for name, card in _DECLINES.items()},
    "pm_card_refundFail": CardProfile("4000000000005126", "visa", refund_fails=True),
    "pm_card_pendingRefund": CardProfile("4000000000007726", "visa", refund_pending=True),
    "pm_card_createDispute": CardProfile("4000000000000259", "visa", dispute_status="needs_response"),
    "pm_card_createDisputeInquiry": CardProfile("4000000000001976", "visa", dispute_status="warning_needs_response"),
    "pm_card_createDisputeProductNotReceived": CardProfile(
        "4000000000002685", "visa", dispute_status="needs_response", dispute_reason="product_not_received"
    ),
    "pm_card_createMultipleDisputes": CardProfile(
        "4000000404000079", "visa", dispute_status="needs_response", dispute_count=2
    ),
    "pm_card_createIssuerFraudRecord": CardProfile("4000000000005423", "visa", early_fraud_warning=True),
}

# Network reason codes per dispute reason and brand (Visa/Mastercard/Amex); other reasons fall back to "fraudulent".
NETWORK_REASON_CODES = {
    "fraudulent": {"visa": "10.4", "mastercard": "4837", "amex": "F29"},
    "product_not_received": {"visa": "13.1", "mastercard": "4855", "amex": "C08"},
}


def network_reason_code(reason: str, brand: str) -> str:
    """The card network's reason code for a dispute reason."""
    codes = NETWORK_REASON_CODES.get(reason, NETWORK_REASON_CODES["fraudulent"])
    return codes.get(brand, codes["visa"])
