"""Dispute use cases: Stripe dispute events to dispute workflows (signal-with-start, so duplicates and any order
start one workflow), and finance reading disputes, submitting evidence early or accepting them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from core.settings import Settings
from domain.dispute_messages import (
    DisputeEvent,
    DisputeInput,
    DisputeState,
    FinanceDisputeAction,
    StripeDisputeSnapshot,
    dispute_workflow_id,
)
from domain.roles import Actor
from services.errors import use_case
from services.stripe_objects import StripeDisputeObject
from services.temporal_errors import ask_temporal
from services.workflow_updates import send_update
from store.db import Database
from store.dispute_tables import Dispute
from store.disputes import get_dispute
from workflows import search_attributes as sa
from workflows.contracts.dispute import DISPUTE_EVENT_SIGNAL
from workflows.dispute import DisputeWorkflow


def dispute_snapshot(obj: dict[str, Any]) -> StripeDisputeSnapshot:
    """Our view of a Stripe dispute object (pydantic's ValidationError when it is not one)."""
    return StripeDisputeObject.model_validate(obj).snapshot()


async def deliver_dispute_event(client: Client, settings: Settings, event: DisputeEvent) -> str:
    """Start the dispute's workflow if not running, hand it the event; no answer raises WorkflowServiceUnavailable."""
    dispute = event.dispute
    start = client.start_workflow(
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
        start_signal=DISPUTE_EVENT_SIGNAL,
        start_signal_args=[event],
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.DISPUTE_STATUS, dispute.status.value),
                SearchAttributePair(sa.PAYMENT_INTENT_ID, dispute.payment_intent_id or ""),
            ]
        ),
        static_summary=(
            f"Dispute {dispute.dispute_id}: {dispute.reason}, {dispute.amount_minor} {dispute.currency.upper()}"
        ),
        static_details=(
            f"Chargeback on charge `{dispute.charge_id}` (payment `{dispute.payment_intent_id}`), "
            f"opened {dispute.opened_at.isoformat()}."
        ),
    )
    try:
        await ask_temporal(start, settings.webhook_delivery_timeout)
    except WorkflowAlreadyStartedError:
        return "dispute already closed"
    return "signalled"


@use_case
def list_disputes(session: Session, status: str | None = None, limit: int = 50) -> list[Dispute]:
    """Disputes, newest first, optionally by status."""
    query = select(Dispute)
    if status:
        query = query.where(Dispute.status == status)
    return list(session.exec(query.order_by(col(Dispute.opened_at).desc()).limit(limit)))


@use_case
def read_dispute(session: Session, dispute_id: str) -> Dispute:
    """One dispute."""
    return get_dispute(session, dispute_id)


async def _finance_action(
    database: Database, client: Client, dispute_id: str, update: Any, action: FinanceDisputeAction
) -> tuple[Dispute, DisputeState]:
    """Send a finance action to the dispute's workflow; answer the row and the state the workflow returns."""
    row = await database.atransact(lambda session: get_dispute(session, dispute_id))
    ended = f"dispute {dispute_id} is {row.status}; its handling has ended"
    state = await send_update(client, row.workflow_id, update, action, ended)
    return row, state


@use_case
async def submit_evidence(
    database: Database, client: Client, dispute_id: str, actor: Actor, text: str | None
) -> tuple[Dispute, DisputeState]:
    """Submit the assembled evidence now instead of waiting for the automatic submission."""
    action = FinanceDisputeAction(actor=actor, uncategorized_text=text)
    return await _finance_action(database, client, dispute_id, DisputeWorkflow.submit_evidence, action)


@use_case
async def accept_dispute(
    database: Database, client: Client, dispute_id: str, actor: Actor
) -> tuple[Dispute, DisputeState]:
    """Accept the dispute: no evidence is sent and the chargeback stands."""
    return await _finance_action(
        database, client, dispute_id, DisputeWorkflow.accept, FinanceDisputeAction(actor=actor)
    )
