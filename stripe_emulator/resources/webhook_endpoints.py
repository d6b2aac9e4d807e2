"""Webhook endpoints: create (the only answer carrying `secret`), retrieve, list, update, delete."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid, missing_parameter
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id, new_webhook_secret
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public

# Event types Stripe added after the spec's API version (2023-08-16) that the emulator sends.
NEWER_EVENT_TYPES = frozenset({"refund.failed"})


@lru_cache(maxsize=1)
def event_types() -> frozenset[str]:
    """Every type `enabled_events` accepts: the spec's enum (vendored, with `*`) and the newer types above."""
    text = resources.files("stripe_emulator").joinpath("fixtures", "event_types.json").read_text("utf-8")
    return frozenset(json.loads(text)["event_types"]) | NEWER_EVENT_TYPES


def _url(params: Params, required: bool) -> str | None:
    """An absolute http(s) URL."""
    url = params.string("url", required=required)
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise invalid(f"Invalid URL: {url}. URLs must begin with http:// or https://", param="url")
    return url


def _events(params: Params, required: bool) -> list[str] | None:
    """`enabled_events`: event types, or `*` for all."""
    events = params.string_list("enabled_events")
    if events is None:
        if required:
            raise missing_parameter("enabled_events")
        return None
    if not events:
        raise invalid("enabled_events must contain at least one event type.", param="enabled_events")
    for index, name in enumerate(events):
        if name not in event_types():
            raise invalid(
                f"Invalid enabled_events[{index}]: {name!r} is not a Stripe event type (see "
                "https://docs.stripe.com/api/events/types).",
                param="enabled_events",
            )
    return events


def register(ctx: Ctx, url: str, events: list[str], secret: str | None = None, description: str | None = None) -> dict:
    """Store a new endpoint with a signing secret (generated unless given)."""
    endpoint = build(
        "webhook_endpoint",
        {
            "api_version": None,
            "application": None,
            "created": ctx.now,
            "description": description,
            "enabled_events": events,
            "id": new_id("we"),
            "livemode": False,
            "metadata": {},
            "object": "webhook_endpoint",
            "status": "enabled",
            "url": url,
        },
        extra={"_secret": secret or new_webhook_secret()},
    )
    return ctx.store(endpoint)


def create(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/webhook_endpoints."""
    params = Params(raw, ("url", "enabled_events", "description", "metadata", "api_version", "connect"))
    url, events = _url(params, True), _events(params, True)
    assert url is not None and events is not None  # required: a missing one raised above
    endpoint = register(ctx, url, events, description=params.string("description"))
    endpoint["metadata"] = params.metadata() or {}
    endpoint["api_version"] = params.string("api_version")
    ctx.touch(endpoint)
    body = public(ctx, endpoint)
    # Stripe returns the signing secret only in the answer to the creation request.
    body["secret"] = endpoint["_secret"]
    return expand(ctx, body, params.expand())


def retrieve(ctx: Ctx, raw: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    """GET /v1/webhook_endpoints/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("webhook_endpoints", endpoint_id, noun="webhook endpoint")), params.expand())


def update(ctx: Ctx, raw: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    """POST /v1/webhook_endpoints/{id}: url, enabled_events, description, metadata, disabled."""
    params = Params(raw, ("url", "enabled_events", "description", "metadata", "disabled"))
    endpoint = ctx.get("webhook_endpoints", endpoint_id, noun="webhook endpoint")
    url, events = _url(params, False), _events(params, False)
    if url:
        endpoint["url"] = url
    if events:
        endpoint["enabled_events"] = events
    if params.has("description"):
        endpoint["description"] = params.string("description") or None
    if params.has("metadata"):
        endpoint["metadata"] = params.metadata(endpoint["metadata"])
    if params.has("disabled"):
        endpoint["status"] = "disabled" if params.boolean("disabled") else "enabled"
    ctx.touch(endpoint)
    return expand(ctx, public(ctx, endpoint), params.expand())


def delete(ctx: Ctx, raw: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    """DELETE /v1/webhook_endpoints/{id}; its pending deliveries stop."""
    Params(raw, ())
    ctx.get("webhook_endpoints", endpoint_id, noun="webhook endpoint")
    ctx.delete(endpoint_id)
    for delivery_id in ctx.state.deliveries_of(endpoint_id):
        ctx.state.drop_delivery(delivery_id)
    return build("deleted_webhook_endpoint", {"deleted": True, "id": endpoint_id, "object": "webhook_endpoint"})


def list_endpoints(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/webhook_endpoints."""
    params = Params(raw, LIST_PARAMS)
    endpoints = select(ctx, "webhook_endpoints")
    return list_response(ctx, endpoints, params, "/v1/webhook_endpoints", "webhook endpoint")


ROUTES = [
    ("POST", "/v1/webhook_endpoints", create),
    ("GET", "/v1/webhook_endpoints", list_endpoints),
    ("GET", "/v1/webhook_endpoints/{endpoint_id}", retrieve),
    ("POST", "/v1/webhook_endpoints/{endpoint_id}", update),
    ("DELETE", "/v1/webhook_endpoints/{endpoint_id}", delete),
]
