"""The dispute workflow's activities and signal names: the workflow calls these, activities/ implements them."""

from __future__ import annotations

from temporalio import activity

from domain.dispute_messages import (
    DisputeActionRequest,
    DisputeContext,
    DisputeEvidenceSubmission,
    PublishDispute,
    StripeDisputeSnapshot,
)
from domain.disputes import DisputeStatus

# The signal a Stripe dispute event is delivered with (also its signal-with-start name).
DISPUTE_EVENT_SIGNAL = "dispute_event"


class DisputeReadModel:
    """Local activities over the read model (activities.dispute_read_model implements them)."""

    @activity.defn(name="load_dispute_context")
    def load_dispute_context(self, dispute: StripeDisputeSnapshot) -> DisputeContext:
        """Orders, customer, support contacts and refunds tied to the disputed payment."""
        raise NotImplementedError

    @activity.defn(name="publish_dispute")
    def publish_dispute(self, message: PublishDispute) -> None:
        """Record the dispute's state and its effects on orders and the customer."""
        raise NotImplementedError


class DisputeStripeCalls:
    """Stripe calls on the rate-limited queue (activities.stripe_disputes implements them)."""

    @activity.defn(name="submit_dispute_evidence")
    def submit_dispute_evidence(self, request: DisputeEvidenceSubmission) -> DisputeStatus:
        """Send our evidence and submit it."""
        raise NotImplementedError

    @activity.defn(name="accept_dispute")
    def accept_dispute(self, request: DisputeActionRequest) -> DisputeStatus:
        """Accept (close) the dispute."""
        raise NotImplementedError
