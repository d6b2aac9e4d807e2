"""POST /webhooks/stripe: verified Stripe events routed to the workflows they concern."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from fastapi import APIRouter, HTTPException, Request, status

from api.deps import DatabaseDep, SettingsDep, TemporalDep
from api.guarded_route import GuardedRoute
from api.openapi import error_responses
from services import stripe_events
from services.errors import InvalidInput
from services.stripe_signatures import verified_event

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"], route_class=GuardedRoute)


# Read raw (the signature covers the exact bytes), so FastAPI cannot see the request: it is described here.
STRIPE_EVENT_REQUEST: dict[str, Any] = {
    "parameters": [
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "description": "Stripe's signature of the body with the endpoint's secret (`t=...,v1=...`).",
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "A Stripe event, exactly as Stripe sent it.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


# Signed by Stripe, not a staff token: its own answers are a bad signature, (as any body) one too large, and a signed
# payload that is not an event.
@router.post("/webhooks/stripe", responses=error_responses(400, 413, 422), openapi_extra=STRIPE_EVENT_REQUEST)
async def stripe_webhook(
    request: Request, settings: SettingsDep, database: DatabaseDep, client: TemporalDep
) -> dict[str, Any]:
    """Verify the signature, ignore events already handled, route the rest; 200 tells Stripe to stop retrying."""
    if settings.stripe_webhook_secret is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "The webhook signing secret (STRIPE_WEBHOOK_SECRET) is not configured; the event was not recorded.",
        )
    payload = await request.body()
    try:
        event = verified_event(
            payload, request.headers.get("stripe-signature", ""), settings.stripe_webhook_secret.get_secret_value()
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        log.warning("stripe webhook refused", extra={"error": str(error)})
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid Stripe signature or payload") from error
    except InvalidInput as error:
        # Signed by us, so no stranger's: worth a look, as Stripe will retry it until the endpoint is fixed.
        log.warning("signed stripe webhook is not an event we can read", extra={"error": error.message})
        raise
    outcome = await stripe_events.handle_event(database, client, settings, event)
    if outcome is None:
        return {"received": True, "duplicate": True}
    request.app.state.metrics.observe_webhook(event.type, event.created, outcome)
    return {"received": True, "outcome": outcome}
