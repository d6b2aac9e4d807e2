"""Stripe refund activities: exactly one Stripe refund per (refund, attempt), whatever fails in between."""

from __future__ import annotations

import stripe
from temporalio import activity

from activities.stripe_calls import call_stripe
from domain.refund_messages import CreateStripeRefund, FetchStripeRefund, StripeRefundSnapshot
from domain.refunds import RefundReason
from workflows.contracts.refund import RefundStripeCalls

# Stripe knows three refund reasons; ours map onto them for the card network's records.
STRIPE_REASON = {
    RefundReason.DUPLICATE_PAYMENT.value: "duplicate",
    RefundReason.UNAUTHORIZED_TRANSACTION.value: "fraudulent",
}


def idempotency_key(refund_id: str, attempt: int) -> str:
    """The same refund attempt always sends the same key, so Stripe acts on it once."""
    return f"refund-{refund_id}-attempt-{attempt}"


class StripeRefundActivities(RefundStripeCalls):
    """Stripe calls for refunds, holding one Stripe client."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @activity.defn(name="create_stripe_refund")
    def create_stripe_refund(self, request: CreateStripeRefund) -> StripeRefundSnapshot:
        """Find the refund this attempt already made (keys expire after 24 h), or create it with the attempt's key."""
        existing = self._find_existing(request)
        if existing is not None:
            activity.logger.info("stripe refund already exists", extra={"refund_id": request.refund_id, "stripe_refund_id": existing.id})
            return _snapshot(existing)
        params = {
            "payment_intent": request.payment_intent_id,
            "amount": request.amount_minor,
            "reason": STRIPE_REASON.get(request.reason, "requested_by_customer"),
            "metadata": {"refund_id": request.refund_id, "attempt": str(request.attempt), "order_id": request.order_id},
        }
        refund = call_stripe(lambda: self.client.v1.refunds.create(params, {"idempotency_key": idempotency_key(request.refund_id, request.attempt)}))
        activity.logger.info("stripe refund created", extra={"refund_id": request.refund_id, "stripe_refund_id": refund.id, "stripe_status": refund.status})
        return _snapshot(refund)

    @activity.defn(name="fetch_stripe_refund")
    def fetch_stripe_refund(self, request: FetchStripeRefund) -> StripeRefundSnapshot:
        """Stripe's current view of a refund."""
        return _snapshot(call_stripe(lambda: self.client.v1.refunds.retrieve(request.stripe_refund_id)))

    def _find_existing(self, request: CreateStripeRefund) -> stripe.Refund | None:
        """A refund on this payment carrying our refund id and attempt in its metadata."""
        page = call_stripe(lambda: self.client.v1.refunds.list({"payment_intent": request.payment_intent_id, "limit": 100}))
        for refund in page.auto_paging_iter():
            metadata = refund.metadata.to_dict() if refund.metadata else {}
            if metadata.get("refund_id") == request.refund_id and metadata.get("attempt") == str(request.attempt):
                return refund
        return None


def _snapshot(refund: stripe.Refund) -> StripeRefundSnapshot:
    """The fields the workflow needs from a Stripe refund."""
    return StripeRefundSnapshot(
        stripe_refund_id=refund.id,
        status=refund.status or "pending",
        amount_minor=refund.amount,
        currency=refund.currency,
        failure_reason=getattr(refund, "failure_reason", None),
        created=refund.created,
    )
