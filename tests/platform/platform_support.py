"""Small helpers shared by the platform tests (imported by name: pytest puts this directory on sys.path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import stripe

from core.settings import Settings
from stripe_emulator.testing import RunningEmulator, pay

# Nothing listens on port 1: the API's Temporal link keeps retrying (the orders/customers/auth routes do not need it),
# and Stripe is "unreachable" unless a test passes the emulator.
UNREACHABLE = "127.0.0.1:1"


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a staff token."""
    return {"Authorization": f"Bearer {token}"}


SHOP = bearer("dev-shop-1")
SUPPORT = bearer("dev-support-1")


def order_body(stripe_client: stripe.StripeClient, order_id: str, customer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid registration of a 12-month order paid in the emulator; `changes` override fields.

    The payment is made for the body's amount and currency unless `changes` name a payment_intent_id.
    """
    body: dict[str, Any] = {
        "order_id": order_id,
        "customer_id": customer_id,
        "customer_email": "ada@example.com",
        "plan_months": 12,
        "amount_minor": 11988,
        "currency": "EUR",
        "paid_at": "2025-03-01T10:00:00Z",
    }
    body.update(changes)
    if "payment_intent_id" not in changes:
        body["payment_intent_id"] = pay(stripe_client, body["amount_minor"], body["currency"]).id
    return body


def api_settings(database_url: str, var_dir: Path, stripe_emulator: RunningEmulator | None = None) -> Settings:
    """Settings of an API under test: dev tokens on, Temporal unreachable, Stripe the emulator when given."""
    stripe_options: dict[str, Any] = {"stripe_api_base": f"http://{UNREACHABLE}"}
    if stripe_emulator is not None:
        stripe_options = {"stripe_api_base": stripe_emulator.base_url, "stripe_api_key": stripe_emulator.api_key}
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        dev_tokens=True,
        temporal_address=UNREACHABLE,
        log_format="text",
        **stripe_options,
    )
