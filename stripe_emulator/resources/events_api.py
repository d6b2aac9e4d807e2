"""Events: retrieve, and list filtered by type (wildcards allowed), types[] or created."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid
from stripe_emulator.listing import LIST_PARAMS, Selection, list_response
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public


def retrieve(ctx: Ctx, raw: dict[str, Any], event_id: str) -> dict[str, Any]:
    """GET /v1/events/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("events", event_id, noun="event")), params.expand())


def list_events(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/events?type=charge.*&types[]=...&delivery_success=."""
    params = Params(raw, (*LIST_PARAMS, "type", "types", "delivery_success"))
    pattern, types = params.string("type"), params.string_list("types")
    if pattern and types:
        raise invalid("You may only specify one of these parameters: type, types.")
    pending = {d["event"] for d in ctx.state.deliveries.values()}
    success = params.boolean("delivery_success") if params.has("delivery_success") else None

    def keep(e: dict[str, Any]) -> bool:
        return (
            (not pattern or fnmatchcase(e["type"], pattern))
            and (not types or e["type"] in types)
            and (success is None or (e["id"] not in pending and e["pending_webhooks"] == 0) == success)
        )

    filtered = bool(pattern or types or success is not None)
    items = Selection(ctx.state.ordered("events"), ctx.state.collection("events"), keep if filtered else None)
    return list_response(ctx, items, params, "/v1/events", "event")


ROUTES = [
    ("GET", "/v1/events", list_events),
    ("GET", "/v1/events/{event_id}", retrieve),
]
