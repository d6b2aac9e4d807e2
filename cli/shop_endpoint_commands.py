"""`refunds shop-endpoint add | list | deliveries | replay`: where the shop receives our events (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import emit, fields, table, when

app = typer.Typer(
    help="Endpoints of the shop that receive our signed events, and their deliveries.", no_args_is_help=True
)
EndpointId = Annotated[str, typer.Argument(help="The endpoint id (ep_...).", show_default=False)]
EVENT_TYPES = (
    "order.access_ended, order.suspended, order.reinstated, order.charged_back, customer.restricted, "
    "customer.restriction_lifted, refund.status_changed"
)


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where events are POSTed.", show_default=False)],
    event_types: Annotated[
        list[str] | None,
        typer.Option("--event", help=f"An event type to receive (repeat it); default all: {EVENT_TYPES}."),
    ] = None,
    description: Annotated[str | None, typer.Option("--description", help="What this endpoint is for.")] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Register a shop endpoint (admin); its signing secret is printed this once."""
    body = {"url": url, "event_types": event_types or None, "description": description}
    with staff_api(api_url, token) as api:
        endpoint, _ = api.post("/shop-endpoints", body)
    emit(
        f"Shop endpoint {endpoint['endpoint_id']} registered for {url}",
        fields(
            [
                ("Events", ", ".join(endpoint["event_types"]) if endpoint["event_types"] else "all"),
                ("Secret", endpoint["secret"]),
            ]
        ),
        "Store the secret now: it is not shown again. Verify each event's webhook-signature with it.",
    )


@app.command("list")
def list_endpoints(api_url: ApiUrl = DEFAULT_API_URL, token: Token = None) -> None:
    """The registered shop endpoints (admin)."""
    with staff_api(api_url, token) as api:
        endpoints = api.get("/shop-endpoints")
    emit(
        table(
            None,
            ("Endpoint", "URL", "Events", "Active", "Registered", "By"),
            (
                (
                    e["endpoint_id"],
                    e["url"],
                    ", ".join(e["event_types"]) if e["event_types"] else "all",
                    "yes" if e["active"] else "no",
                    when(e["created_at"]),
                    e["created_by_name"],
                )
                for e in endpoints
            ),
            whole=("Endpoint", "URL"),
        ),
        f"{len(endpoints)} endpoint{'s' if len(endpoints) != 1 else ''}",
    )


@app.command("deliveries")
def deliveries(
    endpoint_id: EndpointId,
    status: Annotated[
        Literal["pending", "delivered", "given_up"] | None, typer.Option("--status", help="Only these.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """An endpoint's deliveries, newest first: status, attempts, the last answer or error (admin)."""
    with staff_api(api_url, token) as api:
        page = api.get(
            f"/shop-endpoints/{endpoint_id}/deliveries", {"status": status, "limit": limit, "offset": offset}
        )
    emit(
        table(
            None,
            ("Delivery", "Event", "Type", "Status", "Attempts", "Last answer", "Next attempt", "Created"),
            (
                (
                    d["id"],
                    d["event_id"],
                    d["event_type"],
                    d["status"],
                    d["attempts"],
                    d["last_error"] or (d["last_status_code"] and f"HTTP {d['last_status_code']}"),
                    when(d["next_attempt_at"]),
                    when(d["created_at"]),
                )
                for d in page["items"]
            ),
            right=("Attempts",),
            whole=("Event",),
        ),
        f"{page['offset'] + 1 if page['items'] else 0}-{page['offset'] + len(page['items'])} of {page['total']}",
    )


@app.command("replay")
def replay(
    endpoint_id: EndpointId,
    delivery_id: Annotated[int, typer.Argument(help="The delivery's id (see `deliveries`).", show_default=False)],
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Send one delivery again within seconds, with the same event id (admin)."""
    with staff_api(api_url, token) as api:
        delivery, _ = api.post(f"/shop-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay", {})
    emit(f"Delivery {delivery['id']} ({delivery['event_type']} {delivery['event_id']}) will be sent again shortly")
