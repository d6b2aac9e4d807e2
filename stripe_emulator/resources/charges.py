"""Charges: created by confirming a PaymentIntent; retrieve and list (by payment_intent or customer)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.cards import CardProfile
from stripe_emulator.context import Ctx
from stripe_emulator.errors import no_such
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id, random_token
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.money import processing_fee
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.resources import balance_transactions

DECLINE_SELLER_MESSAGE = "The bank did not return any further details with this decline."


def _card_details(method: dict[str, Any], amount: int) -> dict[str, Any]:
    """`payment_method_details` of a card charge."""
    card = method["card"]
    details = build(
        "charge",
        {
            "amount_authorized": amount,
            "brand": card["brand"],
            "checks": dict(card["checks"]),
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "extended_authorization": {"status": "disabled"},
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": card["last4"],
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": card["brand"],
            "network_token": {"used": False},
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "three_d_secure": None,
            "wallet": None,
            "authorization_code": None,
            "regulated_status": "unregulated",
            "network_transaction_id": random_token(15),
            "transaction_link_id": None,
        },
        path="payment_method_details.card",
    )
    return {"card": details, "type": "card"}


def _outcome(card: CardProfile) -> dict[str, Any]:
    """The network's answer, as Stripe reports it on the charge."""
    if card.decline_code:
        status, reason, message, kind = (
            "declined_by_network",
            card.decline_code,
            DECLINE_SELLER_MESSAGE,
            "issuer_declined",
        )
    else:
        status, reason, message, kind = "approved_by_network", None, "Payment complete.", "authorized"
    return build(
        "charge",
        {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": status,
            "reason": reason,
            "seller_message": message,
            "type": kind,
        },
        path="outcome",
    )


def create_for_intent(ctx: Ctx, intent: dict[str, Any], method: dict[str, Any], card: CardProfile) -> dict[str, Any]:
    """The charge of one confirmation attempt: succeeded (with its balance transaction) or failed."""
    charge_id = new_id("ch")
    amount, currency = intent["amount"], intent["currency"]
    succeeded = card.decline_code is None
    transaction = None
    if succeeded:
        transaction = balance_transactions.record(
            ctx,
            amount=amount,
            currency=currency,
            kind="charge",
            category="charge",
            source=charge_id,
            description=intent["description"],
            fee=processing_fee(amount),
        )
    charge = build(
        "charge",
        {
            "amount": amount,
            "amount_captured": amount if succeeded else 0,
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": transaction["id"] if transaction else None,
            "billing_details": dict(method["billing_details"]),
            "calculated_statement_descriptor": intent["statement_descriptor"] or "STRIPE EMULATOR",
            "captured": succeeded,
            "created": ctx.now,
            "currency": currency,
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": None if succeeded else card.error_code,
            "failure_message": None if succeeded else card.decline_message,
            "fraud_details": {},
            "id": charge_id,
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "object": "charge",
            "on_behalf_of": None,
            "outcome": _outcome(card),
            "paid": succeeded,
            "payment_intent": intent["id"],
            "payment_method": method["id"],
            "payment_method_details": _card_details(method, amount),
            "receipt_email": intent["receipt_email"],
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{random_token(40)}",
            "refunded": False,
            "refunds": None,  # only in answers that expand it (render.charge_refunds)
            "review": None,
            "shipping": intent["shipping"],
            "source_transfer": None,
            "statement_descriptor": intent["statement_descriptor"],
            "statement_descriptor_suffix": intent["statement_descriptor_suffix"],
            "status": "succeeded" if succeeded else "failed",
            "transfer_data": None,
            "transfer_group": None,
            "source": None,
        },
        extra={"_token": method["_token"]},
    )
    return ctx.store(charge)


def retrieve(ctx: Ctx, raw: dict[str, Any], charge_id: str) -> dict[str, Any]:
    """GET /v1/charges/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("charges", charge_id, noun="charge")), params.expand())


def list_charges(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/charges?payment_intent=&customer=."""
    params = Params(raw, (*LIST_PARAMS, "payment_intent", "customer"))
    intent, customer = params.id("payment_intent"), params.id("customer")
    items = select(ctx, "charges", payment_intent=intent, customer=customer)
    return list_response(ctx, items, params, "/v1/charges", "charge")


def list_refunds(ctx: Ctx, raw: dict[str, Any], charge_id: str) -> dict[str, Any]:
    """GET /v1/charges/{charge}/refunds: the charge's refunds, newest first."""
    params = Params(raw, ("limit", "starting_after", "ending_before"))
    ctx.get("charges", charge_id, noun="charge", param="charge")
    items = select(ctx, "refunds", charge=charge_id)
    return list_response(ctx, items, params, f"/v1/charges/{charge_id}/refunds", "refund")


def retrieve_refund(ctx: Ctx, raw: dict[str, Any], charge_id: str, refund_id: str) -> dict[str, Any]:
    """GET /v1/charges/{charge}/refunds/{refund}: one refund of that charge."""
    params = Params(raw, ())
    ctx.get("charges", charge_id, noun="charge", param="charge")
    refund = ctx.state.collection("refunds").get(refund_id)
    if refund is None or refund["charge"] != charge_id:
        raise no_such("refund", refund_id, param="refund")
    return expand(ctx, public(ctx, refund), params.expand())


ROUTES = [
    ("GET", "/v1/charges", list_charges),
    ("GET", "/v1/charges/{charge_id}", retrieve),
    ("GET", "/v1/charges/{charge_id}/refunds", list_refunds),
    ("GET", "/v1/charges/{charge_id}/refunds/{refund_id}", retrieve_refund),
]
