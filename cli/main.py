"""The `refunds` console script: each command group lives in its own module and is added here."""

import typer

from cli import (
    customer_commands,
    demo_command,
    dispute_commands,
    refund_actions,
    refund_commands,
    settlement_commands,
    shop_endpoint_commands,
    staff,
)

app = typer.Typer(
    name="refunds",
    help=(
        "Refund service tools for staff. API commands need a staff token (--token or REFUNDS_TOKEN) and talk to "
        "--api-url (REFUNDS_API_URL, default http://127.0.0.1:8000); `staff` works on DATABASE_URL directly."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.command("request")(refund_commands.request)
app.command("show")(refund_commands.show)
app.command("list")(refund_commands.list_refunds)
app.command("approve")(refund_commands.approve)
app.command("reject")(refund_commands.reject)
app.command("cancel")(refund_actions.cancel)
app.command("troubleshoot")(refund_actions.troubleshoot)
app.command("investigate")(refund_actions.investigate)
app.command("resolve-failure")(refund_actions.resolve_failure)
app.command("settlements")(settlement_commands.settlements)
app.command("confirm-settlement")(settlement_commands.confirm_settlement)
app.add_typer(dispute_commands.app, name="dispute")
app.add_typer(customer_commands.orders_app, name="order")
app.add_typer(customer_commands.customers_app, name="customer")
app.add_typer(shop_endpoint_commands.app, name="shop-endpoint")
app.add_typer(staff.app, name="staff")
app.command("demo")(demo_command.demo)
