"""Stripe dispute events to dispute workflows: signal-with-start, so duplicates and any order start one workflow."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy

from api.temporal_errors import ask_temporal
from core.settings import Settings
from domain.dispute_messages import DisputeEvent, DisputeInput, StripeDisputeSnapshot, dispute_workflow_id
from workflows import search_attributes as sa


def dispute_snapshot(obj: dict) -> StripeDisputeSnapshot:
    """Our view of a Stripe dispute object."""
    due_by = (obj.get("evidence_details") or {}).get("due_by")
    return StripeDisputeSnapshot(
        dispute_id=obj["id"],
        charge_id=obj["charge"],
        payment_intent_id=obj.get("payment_intent"),
        amount_minor=obj["amount"],
        currency=obj["currency"],
        reason=obj.get("reason") or "general",
        status=obj["status"],
        due_by=datetime.fromtimestamp(due_by, UTC) if due_by else None,
        opened_at=datetime.fromtimestamp(obj["created"], UTC),
    )


async def deliver_dispute_event(client: Client, settings: Settings, event: DisputeEvent) -> str:
    """Start the dispute's workflow if it is not running, and hand it the event; no answer raises WorkflowServiceUnavailable."""
    from workflows.dispute import DisputeWorkflow

    dispute = event.dispute
    try:
        await ask_temporal(client.start_workflow(
            DisputeWorkflow.run,
            DisputeInput(
                dispute=dispute,
                evidence_lead_time=settings.dispute_evidence_lead_time,
                stripe_task_queue=settings.temporal_stripe_task_queue,
                stripe_call_timeout=settings.stripe_call_timeout,
            ),
            id=dispute_workflow_id(dispute.dispute_id),
            task_queue=settings.temporal_task_queue,
            # One dispute, one workflow: a closed one is never started again by a late event.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            start_signal="dispute_event",
            start_signal_args=[event],
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.DISPUTE_STATUS, dispute.status.value),
                    SearchAttributePair(sa.PAYMENT_INTENT_ID, dispute.payment_intent_id or ""),
                ]
            ),
            static_summary=f"Dispute {dispute.dispute_id}: {dispute.reason}, {dispute.amount_minor} {dispute.currency.upper()}",
            static_details=f"Chargeback on charge `{dispute.charge_id}` (payment `{dispute.payment_intent_id}`), opened {dispute.opened_at.isoformat()}.",
        ), settings.webhook_delivery_timeout)
    except WorkflowAlreadyStartedError:
        return "dispute already closed"
    return "signalled"
