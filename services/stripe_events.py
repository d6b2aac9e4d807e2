"""Handling a verified Stripe event: routed once to the workflow it concerns (POST /webhooks/stripe verifies it)."""

from __future__ import annotations

import logging
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from temporalio.client import Client

from core.settings import Settings
from domain.dispute_messages import DisputeEvent
from domain.refund_messages import StripeRefundEvent
from services.disputes import deliver_dispute_event
from services.errors import use_case
from services.stripe_objects import (
    StripeDisputeObject,
    StripeEventEnvelope,
    StripeRefundObject,
    what_is_wrong,
)
from services.temporal_errors import WorkflowEnded, WorkflowServiceUnavailable, ask_temporal
from store.db import Database
from store.refund_tables import Refund, StripeEventRecord
from workflows.handles import refund_handle
from workflows.refund import RefundWorkflow

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
# The outcome of an event whose object does not fit its type: recorded and answered 200, as a retry cannot fix it.
UNREADABLE = "unreadable"
NOT_DELIVERED = (
    "The event could not be handed to its workflow because the workflow service did not answer; "
    "it was not recorded, so send it again."
)
# refund.created only repeats what the create call already told the workflow: routing it would cost a signal.
REFUND_EVENTS = {"refund.updated", "refund.failed"}
DISPUTE_EVENTS = {
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
}


@use_case
async def handle_event(
    database: Database, client: Client, settings: Settings, event: StripeEventEnvelope
) -> str | None:
    """Route a verified event to its workflow once; answers the outcome, or None for an event already handled.

    An event is recorded only after its workflow has it: any doubt raises WorkflowServiceUnavailable (503) and Stripe
    sends it again. One whose object we cannot read is recorded as unreadable and answered 200: sending it again would
    not make it readable.
    """
    event_id, event_type = event.id, event.type
    if await database.atransact(lambda session: session.get(StripeEventRecord, event_id)) is not None:
        return None
    try:
        outcome = await route_event(event, database, client, settings)
    except WorkflowServiceUnavailable as error:
        log.warning(
            "stripe webhook not delivered; Stripe will retry",
            extra={"event_id": event_id, "event_type": event_type, "error": str(error.__cause__ or error)},
        )
        raise WorkflowServiceUnavailable(NOT_DELIVERED) from error
    except Exception as error:  # unknown outcome: not acknowledged, so Stripe retries (the workflows ignore repeats)
        log.exception(
            "stripe webhook failed; Stripe will retry", extra={"event_id": event_id, "event_type": event_type}
        )
        raise WorkflowServiceUnavailable(NOT_DELIVERED) from error
    # A crash here, after the signal and before the record, is harmless: the workflows drop an event id they saw.
    await database.atransact(lambda session: _remember(session, event_id, event_type, event.object_id, outcome))
    log.info("stripe webhook handled", extra={"event_id": event_id, "event_type": event_type, "outcome": outcome})
    return outcome


async def route_event(event: StripeEventEnvelope, database: Database, client: Client, settings: Settings) -> str:
    """Deliver the event to its workflow and say what happened to it."""
    if event.type in REFUND_EVENTS:
        refund = _readable(event, StripeRefundObject)
        if refund is None:
            return UNREADABLE
        return await _refund_event(event, refund, database, client, settings)
    if event.type in DISPUTE_EVENTS:
        dispute = _readable(event, StripeDisputeObject)
        if dispute is None:
            return UNREADABLE
        return await deliver_dispute_event(
            client, settings, DisputeEvent(event_id=event.id, event_type=event.type, dispute=dispute.snapshot())
        )
    return "ignored"


def _readable(event: StripeEventEnvelope, model: type[M]) -> M | None:
    """The event's object as `model`, or None (logged with what is wrong) when it does not fit."""
    try:
        return model.model_validate(event.data.object)
    except ValidationError as error:
        log.warning(
            "stripe event object unreadable; acknowledged so Stripe stops sending it",
            extra={"event_id": event.id, "event_type": event.type, "errors": what_is_wrong(error)},
        )
        return None


async def _refund_event(
    event: StripeEventEnvelope,
    refund: StripeRefundObject,
    database: Database,
    client: Client,
    settings: Settings,
) -> str:
    """Signal the refund workflow named in the Stripe refund's metadata; only a closed one gets late-event handling."""
    refund_id = refund.refund_id
    if not refund_id:
        return "not ours"
    signal = StripeRefundEvent(
        event_id=event.id, event_type=event.type, stripe_refund_id=refund.id, created=event.created
    )
    try:
        await ask_temporal(
            refund_handle(client, refund_id).signal(RefundWorkflow.stripe_refund_event, signal),
            settings.webhook_delivery_timeout,
        )
    except WorkflowEnded:
        return await database.atransact(lambda session: _late_event(session, refund_id, event.type, refund))
    return "signalled"


def _late_event(session: Session, refund_id: str, event_type: str, stripe_refund: StripeRefundObject) -> str:
    """The workflow already ended: a failure of the Stripe refund we created is money that never arrived."""
    refund = session.get(Refund, refund_id)
    if refund is None:
        return "unknown refund"
    if refund.stripe_refund_id is None or stripe_refund.id != refund.stripe_refund_id:
        # Metadata is copied with any refund made by hand or by another system: only the refund we created counts.
        log.warning(
            "late refund event about a Stripe refund we did not create for this refund; ignored",
            extra={
                "refund_id": refund_id,
                "event_type": event_type,
                "event_stripe_refund_id": stripe_refund.id,
                "our_stripe_refund_id": refund.stripe_refund_id,
            },
        )
        return "not our stripe refund"
    if stripe_refund.status in ("failed", "canceled"):
        refund.needs_attention = True
        refund.attention_reason = (
            f"Stripe reported the refund {stripe_refund.status} ({stripe_refund.failure_reason or 'no reason given'}) "
            f"after it was {refund.status}; the customer may not have the money"
        )
        session.add(refund)
        log.warning("late refund failure needs finance", extra={"refund_id": refund_id, "event_type": event_type})
        return "needs attention"
    return "late, no change"


def _remember(session: Session, event_id: str, event_type: str, object_id: str | None, outcome: str) -> None:
    """Record the event as handled (a concurrent duplicate may have beaten us to it)."""
    if session.get(StripeEventRecord, event_id) is None:
        session.add(StripeEventRecord(event_id=event_id, event_type=event_type, object_id=object_id, outcome=outcome))
