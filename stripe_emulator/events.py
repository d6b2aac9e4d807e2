"""Events: every state change records one, and queues its deliveries to matching webhook endpoints."""

from __future__ import annotations

from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id
from stripe_emulator.render import public


def endpoint_wants(endpoint: dict[str, Any], event_type: str) -> bool:
    """Whether an enabled endpoint subscribes to this event type (`*` means all)."""
    if endpoint["status"] != "enabled":
        return False
    wanted = endpoint["enabled_events"]
    return "*" in wanted or event_type in wanted


def emit(
    ctx: Ctx,
    event_type: str,
    obj: dict[str, Any],
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record an event whose `data.object` is a snapshot of `obj` now, and queue its webhooks."""
    data: dict[str, Any] = {"object": public(ctx, obj)}
    if previous_attributes:
        # Stripe sends previous_attributes only on *.updated-style events, with the changed fields' old values.
        data["previous_attributes"] = previous_attributes
    endpoints = [e for e in ctx.state.collection("webhook_endpoints").values() if endpoint_wants(e, event_type)]
    event = build(
        "event",
        {
            "api_version": ctx.settings.api_version,
            "created": ctx.now,
            "data": data,
            "id": new_id("evt"),
            "livemode": False,
            "object": "event",
            "pending_webhooks": len(endpoints),
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
            "type": event_type,
        },
    )
    ctx.store(event)
    for endpoint in endpoints:
        delivery_id = new_id("whdel")
        ctx.state.put_delivery(
            {
                "id": delivery_id,
                "event": event["id"],
                "endpoint": endpoint["id"],
                "attempts": 0,
                "next_at": float(ctx.now),
            }
        )
        ctx.new_deliveries.append(delivery_id)
    return event


def changed(before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Old values of the fields that differ, for `data.previous_attributes`."""
    return {f: before.get(f) for f in fields if before.get(f) != after.get(f)}
