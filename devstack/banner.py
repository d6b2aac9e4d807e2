"""The text shown once the stack is up: where everything is, the dev tokens, and a first request to try."""

from __future__ import annotations

from devstack.config import StackConfig
from devstack.parts import Part, Step
from store.staff import DEV_TOKENS

RULE = "=" * 78


def render_banner(config: StackConfig, steps: list[Part | Step]) -> str:
    """The banner as text, built from each part's links so new parts appear by themselves."""
    links = [link for step in steps if isinstance(step, Part) for link in step.links(config)]
    links += [("Database", config.database_display), ("Data and logs", f"{config.var_dir} (logs in {config.logs_dir})")]
    width = max(len(label) for label, _ in links) + 2
    lines = [RULE, "  Refund service is up. Ctrl-C stops everything; data stays for the next `make run`.", ""]
    lines += [f"  {label:<{width}}{value}" for label, value in links]
    lines += ["", "  Dev tokens (send `Authorization: Bearer <token>`):"]
    lines += [f"    {token:<16}{', '.join(role.value for role in roles)}" for token, roles in DEV_TOKENS.items()]
    lines += ["", "  Try it:", *_curl_example(config), RULE]
    return "\n".join(lines) + "\n"


def _curl_example(config: StackConfig) -> list[str]:
    """Pay in the emulator, register the order it paid as the shop, then read it as support."""
    body = (
        '{"order_id": "ord-1001", "customer_id": "cus-1001", "customer_email": "ada@example.com", '
        '"plan_months": 12, "amount_minor": 11988, "currency": "EUR", '
        '"payment_intent_id": "\'"$PI"\'", "paid_at": "2025-01-15T10:00:00Z"}'
    )
    return [
        f"    PI=$(curl -s {config.emulator_url}/v1/payment_intents -u sk_test_demo: -d amount=11988 -d currency=eur \\",
        "           -d payment_method=pm_card_visa -d 'payment_method_types[]=card' -d confirm=true \\",
        "         | python3 -c 'import json, sys; print(json.load(sys.stdin)[\"id\"])')",
        f"    curl -s -X POST {config.api_url}/orders -H 'Authorization: Bearer dev-shop-1' \\",
        f"         -H 'Content-Type: application/json' -d '{body}'",
        f"    curl -s {config.api_url}/orders/ord-1001 -H 'Authorization: Bearer dev-support-1'",
    ]
