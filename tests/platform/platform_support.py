"""Small helpers shared by the platform tests (imported by name: pytest puts this directory on sys.path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.settings import Settings

# Nothing listens on port 1: the API's Temporal link keeps retrying and Stripe is "unreachable",
# which is all the orders/customers/auth routes need.
UNREACHABLE = "127.0.0.1:1"


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a staff token."""
    return {"Authorization": f"Bearer {token}"}


SHOP = bearer("dev-shop-1")
SUPPORT = bearer("dev-support-1")


def order_body(order_id: str, customer_id: str, **changes: Any) -> dict[str, Any]:
    """A valid registration of a paid 12-month order; `changes` override fields."""
    body = {
        "order_id": order_id,
        "customer_id": customer_id,
        "customer_email": "ada@example.com",
        "plan_months": 12,
        "amount_minor": 11988,
        "currency": "EUR",
        "payment_intent_id": "pi_3Test1234",
        "paid_at": "2025-03-01T10:00:00Z",
    }
    body.update(changes)
    return body


def api_settings(database_url: str, var_dir: Path) -> Settings:
    """Settings of an API under test: dev tokens on, Temporal and Stripe unreachable."""
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        dev_tokens=True,
        temporal_address=UNREACHABLE,
        stripe_api_base=f"http://{UNREACHABLE}",
        log_format="text",
    )
