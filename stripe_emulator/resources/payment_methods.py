"""Payment methods: Stripe's test tokens (`pm_card_visa`...) become card PaymentMethods."""

from __future__ import annotations

from typing import Any

from stripe_emulator.cards import TEST_CARDS
from stripe_emulator.context import Ctx
from stripe_emulator.errors import no_such
from stripe_emulator.fixtures import build, template
from stripe_emulator.ids import new_id
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public

EXP_MONTH, EXP_YEAR = 12, 2034


def _billing_details() -> dict[str, Any]:
    """Empty billing details in Stripe's shape."""
    details = template("payment_method", "billing_details")
    details["address"] = {k: None for k in details["address"]}
    return {**details, "email": None, "name": None, "phone": None, "tax_id": None}


def materialize(ctx: Ctx, token: str) -> dict[str, Any]:
    """A new PaymentMethod for a test token, as Stripe creates one each time a token is used."""
    card = TEST_CARDS[token]
    card_details = build(
        "payment_method",
        {
            "brand": card.brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": "fail" if card.error_code == "incorrect_cvc" else "pass",
            },
            "country": card.country,
            "display_brand": card.brand,
            "exp_month": EXP_MONTH,
            "exp_year": EXP_YEAR,
            "fingerprint": card.fingerprint,
            "funding": card.funding,
            "generated_from": None,
            "last4": card.last4,
            "networks": {"available": [card.brand], "preferred": None},
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
            "regulated_status": "unregulated",
        },
        path="card",
    )
    method = build(
        "payment_method",
        {
            "allow_redisplay": "unspecified",
            "billing_details": _billing_details(),
            "card": card_details,
            "created": ctx.now,
            "customer": None,
            "id": new_id("pm"),
            "livemode": False,
            "metadata": {},
            "object": "payment_method",
            "type": "card",
            "customer_account": None,
        },
        extra={"_token": token},
    )
    return ctx.store(method)


def resolve(ctx: Ctx, payment_method_id: str, *, param: str = "payment_method") -> dict[str, Any]:
    """A stored PaymentMethod, or a fresh one for a test token; 400 resource_missing otherwise."""
    if payment_method_id in TEST_CARDS:
        return materialize(ctx, payment_method_id)
    method = ctx.state.collection("payment_methods").get(payment_method_id)
    if method is None:
        raise no_such("PaymentMethod", payment_method_id, param=param, status=400)
    return method


def card_of(method: dict[str, Any]):
    """The scripted test-card behaviour behind a PaymentMethod."""
    return TEST_CARDS[method["_token"]]


def retrieve(ctx: Ctx, raw: dict[str, Any], payment_method_id: str) -> dict[str, Any]:
    """GET /v1/payment_methods/{id} (a test token yields a new PaymentMethod, as on Stripe)."""
    params = Params(raw, ())
    if payment_method_id in TEST_CARDS:
        method = materialize(ctx, payment_method_id)
    else:
        method = ctx.get("payment_methods", payment_method_id, noun="PaymentMethod")
    return expand(ctx, public(ctx, method), params.expand())


ROUTES = [("GET", "/v1/payment_methods/{payment_method_id}", retrieve)]
