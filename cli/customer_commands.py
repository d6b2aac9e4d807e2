"""`refunds order show`, `refunds customer show | contact | lift-restriction`: the records refunds are decided on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import emit, fields, money, table, when

orders_app = typer.Typer(help="Orders as the shop registered them.", no_args_is_help=True)
customers_app = typer.Typer(help="Customers: their orders, recorded contacts and restriction.", no_args_is_help=True)
CustomerId = Annotated[str, typer.Argument(help="The shop's customer id.", show_default=False)]
Channel = Literal["contact_form", "whatsapp", "email", "phone", "chat"]


def _order_lines(order: dict[str, Any]) -> list[tuple[str, Any]]:
    """An order as label/value lines."""
    activated = when(order["activated_at"]) if order["activated_at"] else "not yet (no activation details sent)"
    return [
        ("Customer", f"{order['customer_id']} ({order['customer_email']})"),
        ("Plan", f"{order['plan_months']} month{'s' if order['plan_months'] > 1 else ''}"),
        ("Paid", f"{money(order['amount_minor'], order['currency'])} on {when(order['paid_at'])}"),
        ("Payment", order["payment_intent_id"]),
        ("Activated", activated),
        ("Status", order["status"] + (f" ({order['status_reason']})" if order["status_reason"] else "")),
    ]


@orders_app.command("show")
def show_order(
    order_id: Annotated[str, typer.Argument(help="The shop's order id.", show_default=False)],
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """One order: plan, payment, activation and status."""
    with staff_api(api_url, token) as api:
        order = api.get(f"/orders/{order_id}")
    emit(f"Order {order['order_id']}", fields(_order_lines(order)))


@customers_app.command("show")
def show_customer(customer_id: CustomerId, api_url: ApiUrl = DEFAULT_API_URL, token: Token = None) -> None:
    """A customer: whether new orders are restricted, and their orders."""
    with staff_api(api_url, token) as api:
        customer = api.get(f"/customers/{customer_id}")
    restriction = (
        f"restricted since {when(customer['restricted_at'])}: {customer['restricted_reason']}"
        if customer["restricted"]
        else "none"
    )
    emit(
        f"Customer {customer['customer_id']} ({customer['email']})",
        fields([("Restriction", restriction)]),
        table(
            "Orders",
            ("Order", "Plan", "Paid", "On", "Status"),
            (
                (
                    o["order_id"],
                    f"{o['plan_months']} m",
                    money(o["amount_minor"], o["currency"]),
                    when(o["paid_at"]),
                    o["status"],
                )
                for o in customer["orders"]
            ),
            right=("Paid",),
            whole=("Order",),
        ),
    )


@customers_app.command("contact")
def record_contact(
    customer_id: CustomerId,
    channel: Annotated[Channel, typer.Argument(help="How they reached us.", show_default=False)],
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M%z"], help="When, with its UTC offset; default now."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What they said.")] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Record that the customer contacted support (support); it is their prior contact if they dispute later."""
    body = {"channel": channel, "contacted_at": at.isoformat() if at else None, "note": note}
    with staff_api(api_url, token) as api:
        contact, _ = api.post(f"/customers/{customer_id}/contacts", body)
    emit(f"Contact recorded for {customer_id}: {contact['channel']} on {when(contact['contacted_at'])}")


@customers_app.command("lift-restriction")
def lift_restriction(
    customer_id: CustomerId,
    note: Annotated[str, typer.Option("--note", help="Why the customer may order again.", show_default=False)],
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Let a customer a chargeback restricted order again (admin); the reason is recorded."""
    with staff_api(api_url, token) as api:
        customer, _ = api.post(f"/customers/{customer_id}/lift-restriction", {"note": note})
    emit(f"Customer {customer_id}: {'still restricted' if customer['restricted'] else 'may order again'}")
