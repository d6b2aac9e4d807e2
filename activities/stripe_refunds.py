"""Stripe refund activities: exactly one Stripe refund per (refund, attempt), whatever fails in between."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import stripe
from stripe.params import RefundCreateParams
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.stripe_calls import StripeOutcomeUnknown, StripeRefused, call_stripe
from domain.refund_messages import (
    CreateStripeRefund,
    FetchStripeRefund,
    FindStripeRefunds,
    StripeRefundsFound,
    StripeRefundSnapshot,
)
from domain.refunds import RefundReason
from domain.stripe_lookup import refund_of_attempt, refund_to_adopt
from workflows.contracts.refund import RefundStripeCalls

# Stripe knows three refund reasons; ours map onto them for the card network's records.
STRIPE_REASON = {
    RefundReason.DUPLICATE_PAYMENT.value: "duplicate",
    RefundReason.UNAUTHORIZED_TRANSACTION.value: "fraudulent",
}
T = TypeVar("T")
# How many keys one attempt may use: a key moves on only after Stripe replayed a finished error for it.
KEYS_PER_ATTEMPT = 3
EVERY_KEY_REPLAYED_AN_ERROR = "stripe_errors_replayed"


def idempotency_key(refund_id: str, attempt: int, key_number: int = 1) -> str:
    """The same refund attempt always sends the same keys in the same order, so Stripe acts on it once."""
    base = f"refund-{refund_id}-attempt-{attempt}"
    return base if key_number == 1 else f"{base}-k{key_number}"


class StripeRefundActivities(RefundStripeCalls):
    """Stripe calls for refunds, holding one Stripe client."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @activity.defn(name="create_stripe_refund")
    def create_stripe_refund(self, request: CreateStripeRefund) -> StripeRefundSnapshot:
        """Find the refund this attempt already made (keys expire after 24 h), or create it; never guess an outcome.

        Every activity attempt walks the same keys from the first: a key replaying a saved error has finished at
        Stripe, so once the lookup shows it made nothing the next key is safe; an error that may still be acting
        (timeout, fresh 5xx, 409 in flight) is raised for a later attempt, which looks up first again.
        """
        existing = refund_of_attempt(self._ours(request.refund_id, request.payment_intent_id), request.attempt)
        if existing is not None:
            activity.logger.info(
                "stripe refund already exists",
                extra={"refund_id": request.refund_id, "stripe_refund_id": existing.stripe_refund_id},
            )
            return existing
        for key_number in range(1, KEYS_PER_ATTEMPT + 1):
            key = idempotency_key(request.refund_id, request.attempt, key_number)
            try:
                refund = call_stripe(partial(self.client.v1.refunds.create, _params(request), {"idempotency_key": key}))
            except StripeOutcomeUnknown as error:
                found = refund_of_attempt(self._ours(request.refund_id, request.payment_intent_id), request.attempt)
                if found is not None:
                    return _adopted(found, request, error.code, "stripe acted despite the error")
                if not error.replayed:
                    raise
                activity.logger.warning(
                    "stripe replayed an error and holds no refund for it; next key",
                    extra={"refund_id": request.refund_id, "key_number": key_number},
                )
                continue
            except StripeRefused as error:
                # An "already refunded" may be our own refund: adopt it; anything else proves nothing happened.
                found = refund_to_adopt(self._ours(request.refund_id, request.payment_intent_id), request.attempt)
                if found is not None:
                    return _adopted(found, request, error.code, "stripe refusal explained by our own refund")
                raise
            activity.logger.info(
                "stripe refund created",
                extra={"refund_id": request.refund_id, "stripe_refund_id": refund.id, "stripe_status": refund.status},
            )
            return _snapshot(refund)
        raise ApplicationError(
            "Stripe answered every request for this refund with an error it will keep repeating "
            f"({KEYS_PER_ATTEMPT} tries) and holds no refund for it: no money moved.",
            type=EVERY_KEY_REPLAYED_AN_ERROR,
            non_retryable=True,
        )

    @activity.defn(name="find_stripe_refunds")
    def find_stripe_refunds(self, request: FindStripeRefunds) -> StripeRefundsFound:
        """Every refund on the payment carrying our refund id: the definite answer to "did Stripe act?"."""
        return _until_known(
            lambda: StripeRefundsFound(refunds=self._ours(request.refund_id, request.payment_intent_id))
        )

    @activity.defn(name="fetch_stripe_refund")
    def fetch_stripe_refund(self, request: FetchStripeRefund) -> StripeRefundSnapshot:
        """Stripe's current view of a refund."""
        return _until_known(
            lambda: _snapshot(call_stripe(lambda: self.client.v1.refunds.retrieve(request.stripe_refund_id)))
        )

    def _ours(self, refund_id: str, payment_intent_id: str) -> list[StripeRefundSnapshot]:
        """The refunds on this payment whose metadata carries our refund id (every page)."""
        page = call_stripe(lambda: self.client.v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100}))
        return [
            _snapshot(refund)
            for refund in call_stripe(lambda: list(page.auto_paging_iter()))
            if _metadata(refund).get("refund_id") == refund_id
        ]


def _adopted(found: StripeRefundSnapshot, request: CreateStripeRefund, error: str, why: str) -> StripeRefundSnapshot:
    """The refund Stripe holds for this attempt, answered instead of the error (and logged with why)."""
    activity.logger.info(
        why, extra={"refund_id": request.refund_id, "stripe_refund_id": found.stripe_refund_id, "error": error}
    )
    return found


def _until_known(read: Callable[[], T]) -> T:
    """A read the workflow needs answered: a refused read (revoked key, ...) is retried until fixed, never final."""
    try:
        return read()
    except StripeRefused as error:
        raise ApplicationError(
            f"Stripe refused to tell us ({error.code}): {error.message}", type="stripe_read_refused"
        ) from error


def _params(request: CreateStripeRefund) -> RefundCreateParams:
    """The create parameters: identical for every key of an attempt (Stripe compares them per key)."""
    return {
        "payment_intent": request.payment_intent_id,
        "amount": request.amount_minor,
        "reason": STRIPE_REASON.get(request.reason, "requested_by_customer"),
        "metadata": {"refund_id": request.refund_id, "attempt": str(request.attempt), "order_id": request.order_id},
    }


def _metadata(refund: stripe.Refund) -> dict:
    """A refund's metadata as a plain dict."""
    return refund.metadata.to_dict() if refund.metadata else {}


def _snapshot(refund: stripe.Refund) -> StripeRefundSnapshot:
    """The fields the workflow needs from a Stripe refund."""
    attempt = _metadata(refund).get("attempt")
    return StripeRefundSnapshot(
        stripe_refund_id=refund.id,
        status=refund.status or "pending",
        amount_minor=refund.amount,
        currency=refund.currency,
        failure_reason=getattr(refund, "failure_reason", None),
        created=refund.created,
        attempt=int(attempt) if attempt and attempt.isdigit() else None,
    )
