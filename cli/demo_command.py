"""`refunds demo`: payments, orders and one refund request per case on the embedded stack, to try everything at once."""

from __future__ import annotations

from typing import Annotated

import stripe
import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, fail, staff_api
from cli.tables import emit, table
from devstack.config import DEFAULT_EMULATOR_BASE
from devstack.demo import run_demo


def demo(
    stripe_url: Annotated[
        str, typer.Option("--stripe-url", envvar="STRIPE_API_BASE", help="The Stripe emulator the stack uses.")
    ] = DEFAULT_EMULATOR_BASE,
    stripe_key: Annotated[
        str, typer.Option("--stripe-key", help="A test key (sk_test_...); the emulator takes its default.")
    ] = "sk_test_emulator",
    shop_token: Annotated[str, typer.Option("--shop-token", help="Registers the orders.")] = "dev-shop-1",
    support_token: Annotated[str, typer.Option("--support-token", help="Requests the refunds.")] = "dev-support-1",
    api_url: ApiUrl = DEFAULT_API_URL,
) -> None:
    """Make a paid order and a refund request for each case the policy treats differently (embedded stack)."""
    with staff_api(api_url, shop_token) as shop, staff_api(api_url, support_token) as support:
        try:
            made = run_demo(shop, support, stripe_url, stripe_key)
        except (ValueError, stripe.StripeError) as error:
            raise fail(f"the demo could not make its payments at {stripe_url}: {error}") from None
    emit(
        table(
            "Demo refunds (refunds show <id> for each; the console and the Temporal Web UI show them too)",
            ("Case", "Order", "Refund", "Now", "Decision"),
            ((m.case, m.order_id, m.refund_id, m.decided_status, m.decision) for m in made),
            whole=("Order", "Refund"),
        )
    )
