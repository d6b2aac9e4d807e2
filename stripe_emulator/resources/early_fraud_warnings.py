"""Radar early fraud warnings: an issuer reports a charge as fraud (pm_card_createIssuerFraudRecord); get, list."""

from __future__ import annotations

from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.events import emit
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id
from stripe_emulator.listing import list_response, select
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.scheduler import job

# What issuers report for a test card payment (a stolen card); Stripe's fraud_type values are in the spec.
FRAUD_TYPE = "made_with_stolen_card"
_LIST_PARAMS = ("limit", "starting_after", "ending_before", "charge", "payment_intent")
NOUN = "early fraud warning"


def _actionable(ctx: Ctx, charge: dict[str, Any]) -> bool:
    """Stripe: actionable while the charge has no dispute and is not fully refunded."""
    return not charge["disputed"] and charge["amount_refunded"] < charge["amount"]


@job("early_fraud_warning_open")
def open_after_payment(ctx: Ctx, spec: dict[str, Any]) -> None:
    """The early fraud warning a pm_card_createIssuerFraudRecord payment receives shortly after it succeeds."""
    charge = ctx.state.collection("charges").get(spec["target"])
    if charge is None:
        return
    warning = build(
        "radar.early_fraud_warning",
        {
            "actionable": _actionable(ctx, charge),
            "charge": charge["id"],
            "created": ctx.now,
            "fraud_type": FRAUD_TYPE,
            "id": new_id("issfr"),
            "livemode": False,
            "object": "radar.early_fraud_warning",
        },
        # In the spec (and on Stripe's events), not in the fixture's example.
        extra={"payment_intent": charge["payment_intent"]},
    )
    ctx.store(warning)
    emit(ctx, "radar.early_fraud_warning.created", warning)


def charge_changed(ctx: Ctx, charge_id: str) -> None:
    """A dispute or full refund makes the charge's warnings no longer actionable (radar.early_fraud_warning.updated)."""
    charge = ctx.state.collection("charges")[charge_id]
    for warning in ctx.state.where("early_fraud_warnings", "charge", charge_id):
        if warning["actionable"] and not _actionable(ctx, charge):
            warning["actionable"] = False
            ctx.touch(warning)
            emit(ctx, "radar.early_fraud_warning.updated", warning, {"actionable": True})


def retrieve(ctx: Ctx, raw: dict[str, Any], warning_id: str) -> dict[str, Any]:
    """GET /v1/radar/early_fraud_warnings/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("early_fraud_warnings", warning_id, noun=NOUN)), params.expand())


def list_warnings(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/radar/early_fraud_warnings?charge=&payment_intent=."""
    params = Params(raw, _LIST_PARAMS)
    charge, intent = params.id("charge"), params.id("payment_intent")
    items = select(ctx, "early_fraud_warnings", charge=charge, payment_intent=intent)
    return list_response(ctx, items, params, "/v1/radar/early_fraud_warnings", NOUN)


ROUTES = [
    ("GET", "/v1/radar/early_fraud_warnings", list_warnings),
    ("GET", "/v1/radar/early_fraud_warnings/{warning_id}", retrieve),
]
