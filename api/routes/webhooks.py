"""POST /webhooks/stripe: verified Stripe events routed to the workflows they concern."""

from __future__ import annotations

import logging

import stripe
from fastapi import APIRouter, HTTPException, Request, status

from api.deps import DatabaseDep, SettingsDep, TemporalDep
from api.dispute_events import deliver_dispute_event, dispute_snapshot
from api.temporal_errors import WorkflowEnded, WorkflowServiceUnavailable, ask_temporal
from domain.dispute_messages import DisputeEvent
from domain.refund_messages import StripeRefundEvent, refund_workflow_id
from store.refund_tables import Refund, StripeEventRecord

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
# refund.created only repeats what the create call already told the workflow: routing it would cost a signal.
REFUND_EVENTS = {"refund.updated", "refund.failed"}
DISPUTE_EVENTS = {"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"}
# Stripe's default tolerance: older signatures are replays.
SIGNATURE_TOLERANCE_S = 300
NOT_DELIVERED = (
    "The event could not be handed to its workflow because the workflow service did not answer; "
    "it was not recorded, so send it again."
)


@router.post("/webhooks/stripe", include_in_schema=True)
async def stripe_webhook(request: Request, settings: SettingsDep, database: DatabaseDep, client: TemporalDep) -> dict:
    """Verify the signature, ignore events already handled, route the rest; 200 tells Stripe to stop retrying.

    An event is recorded only after its workflow has it: any doubt answers 503 and Stripe sends it again.
    """
    if settings.stripe_webhook_secret is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "The webhook signing secret (STRIPE_WEBHOOK_SECRET) is not configured; the event was not recorded."
        )
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(
            payload, request.headers.get("stripe-signature", ""), settings.stripe_webhook_secret.get_secret_value(), tolerance=SIGNATURE_TOLERANCE_S
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        log.warning("stripe webhook refused", extra={"error": str(error)})
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid Stripe signature or payload") from error
    if await database.atransact(lambda session: session.get(StripeEventRecord, event.id)) is not None:
        return {"received": True, "duplicate": True}
    obj = event.data.object.to_dict()  # plain data: StripeObjects are no longer dicts
    try:
        outcome = await route_event(event.type, event.id, event.created, obj, database, client, settings)
    except WorkflowServiceUnavailable as error:
        log.warning("stripe webhook not delivered; Stripe will retry", extra={"event_id": event.id, "event_type": event.type, "error": str(error.__cause__ or error)})
        raise WorkflowServiceUnavailable(NOT_DELIVERED) from error
    except Exception as error:  # unknown outcome: not acknowledged, so Stripe retries (the workflows ignore repeats)
        log.exception("stripe webhook failed; Stripe will retry", extra={"event_id": event.id, "event_type": event.type})
        raise WorkflowServiceUnavailable(NOT_DELIVERED) from error
    # A crash here, after the signal and before the record, is harmless: the workflows drop an event id they saw.
    await database.atransact(lambda session: _remember(session, event.id, event.type, obj.get("id"), outcome))
    request.app.state.metrics.observe_webhook(event.type, event.created, outcome)
    log.info("stripe webhook handled", extra={"event_id": event.id, "event_type": event.type, "outcome": outcome})
    return {"received": True, "outcome": outcome}


async def route_event(event_type: str, event_id: str, created: int, obj, database, client, settings) -> str:
    """Deliver the event to its workflow and say what happened to it."""
    if event_type in REFUND_EVENTS:
        return await _refund_event(event_type, event_id, created, obj, database, client, settings)
    if event_type in DISPUTE_EVENTS:
        return await deliver_dispute_event(client, settings, DisputeEvent(event_id=event_id, event_type=event_type, dispute=dispute_snapshot(obj)))
    return "ignored"


async def _refund_event(event_type: str, event_id: str, created: int, obj, database, client, settings) -> str:
    """Signal the refund workflow named in the Stripe refund's metadata; only a closed workflow gets the late-event handling."""
    refund_id = (obj.get("metadata") or {}).get("refund_id")
    if not refund_id:
        return "not ours"
    signal = StripeRefundEvent(event_id=event_id, event_type=event_type, stripe_refund_id=obj["id"], created=created)
    handle = client.get_workflow_handle(refund_workflow_id(refund_id))
    try:
        await ask_temporal(handle.signal("stripe_refund_event", signal), settings.webhook_delivery_timeout)
    except WorkflowEnded:
        return await database.atransact(lambda session: _late_event(session, refund_id, event_type, obj))
    return "signalled"


def _late_event(session, refund_id: str, event_type: str, obj) -> str:
    """The workflow already ended: a failure now is money that did not arrive, and finance must see it."""
    refund = session.get(Refund, refund_id)
    if refund is None:
        return "unknown refund"
    if obj.get("status") in ("failed", "canceled"):
        refund.needs_attention = True
        refund.attention_reason = (
            f"Stripe reported the refund {obj.get('status')} ({obj.get('failure_reason') or 'no reason given'}) "
            f"after it was {refund.status}; the customer may not have the money"
        )
        session.add(refund)
        log.warning("late refund failure needs finance", extra={"refund_id": refund_id, "event_type": event_type})
        return "needs attention"
    return "late, no change"


def _remember(session, event_id: str, event_type: str, object_id: str | None, outcome: str) -> None:
    """Record the event as handled (a concurrent duplicate may have beaten us to it)."""
    if session.get(StripeEventRecord, event_id) is None:
        session.add(StripeEventRecord(event_id=event_id, event_type=event_type, object_id=object_id, outcome=outcome))
