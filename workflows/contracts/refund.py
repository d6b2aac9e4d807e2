"""The refund workflow's activities: their names and types, implemented by activities/ and by test fakes."""

from __future__ import annotations

from temporalio import activity

from domain.policy.settlement import SettlementWindow
from domain.refund_messages import (
    ComputeSettlement,
    CreateStripeRefund,
    FetchStripeRefund,
    FindStripeRefunds,
    PublishRefund,
    PublishResult,
    StripeRefundsFound,
    StripeRefundSnapshot,
)

# The signal that tells a refund of a chargeback on its payment (also its signal-with-start name).
DISPUTE_OPENED_SIGNAL = "dispute_opened"


class RefundReadModel:
    """Local activities over the read model (activities.read_model implements them)."""

    @activity.defn(name="publish_refund")
    def publish_refund(self, message: PublishRefund) -> PublishResult:
        """Record the refund's state, its new audit entries and customer emails atomically."""
        raise NotImplementedError

    @activity.defn(name="compute_settlement_window")
    def compute_settlement_window(self, request: ComputeSettlement) -> SettlementWindow:
        """The settlement window in business days from Stripe's success."""
        raise NotImplementedError


class RefundStripeCalls:
    """Stripe calls on the rate-limited queue (activities.stripe_refunds implements them)."""

    @activity.defn(name="create_stripe_refund")
    def create_stripe_refund(self, request: CreateStripeRefund) -> StripeRefundSnapshot:
        """Create (or find) the Stripe refund of this attempt."""
        raise NotImplementedError

    @activity.defn(name="find_stripe_refunds")
    def find_stripe_refunds(self, request: FindStripeRefunds) -> StripeRefundsFound:
        """Every Stripe refund carrying our refund id, on its payment."""
        raise NotImplementedError

    @activity.defn(name="fetch_stripe_refund")
    def fetch_stripe_refund(self, request: FetchStripeRefund) -> StripeRefundSnapshot:
        """Stripe's current view of a refund."""
        raise NotImplementedError
