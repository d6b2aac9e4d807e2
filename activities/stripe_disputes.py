"""Stripe dispute activities: submit evidence, or accept the dispute."""

from __future__ import annotations

from typing import cast

import stripe
from stripe.params import DisputeUpdateParamsEvidence
from temporalio import activity

from activities.stripe_calls import call_stripe
from domain.dispute_messages import DisputeActionRequest, DisputeEvidenceSubmission
from domain.disputes import DisputeStatus
from workflows.contracts.dispute import DisputeStripeCalls


class StripeDisputeActivities(DisputeStripeCalls):
    """Stripe calls for disputes, holding one Stripe client."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @activity.defn(name="submit_dispute_evidence")
    def submit_dispute_evidence(self, request: DisputeEvidenceSubmission) -> DisputeStatus:
        """Send our evidence and submit it; a retry after Stripe already took it finds the dispute under review."""
        current = call_stripe(lambda: self.client.v1.disputes.retrieve(request.dispute_id))
        if not DisputeStatus(current.status).awaits_evidence:
            return DisputeStatus(current.status)
        dispute = call_stripe(
            lambda: self.client.v1.disputes.update(
                request.dispute_id,
                {"evidence": cast(DisputeUpdateParamsEvidence, request.evidence), "submit": True},
                {"idempotency_key": f"dispute-{request.dispute_id}-evidence"},
            )
        )
        activity.logger.info(
            "dispute evidence submitted", extra={"dispute_id": request.dispute_id, "status": dispute.status}
        )
        return DisputeStatus(dispute.status)

    @activity.defn(name="accept_dispute")
    def accept_dispute(self, request: DisputeActionRequest) -> DisputeStatus:
        """Accept (close) the dispute: Stripe marks it lost; closing a closed dispute changes nothing."""
        current = call_stripe(lambda: self.client.v1.disputes.retrieve(request.dispute_id))
        if DisputeStatus(current.status).is_closed:
            return DisputeStatus(current.status)
        dispute = call_stripe(
            lambda: self.client.v1.disputes.close(
                request.dispute_id, options={"idempotency_key": f"dispute-{request.dispute_id}-accept"}
            )
        )
        return DisputeStatus(dispute.status)
