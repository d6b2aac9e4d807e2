"""Refunds: create by payment_intent or charge, retrieve, update, cancel, list; timed settle and failure."""

from __future__ import annotations

from typing import Any

from stripe_emulator.cards import TEST_CARDS
from stripe_emulator.context import Ctx
from stripe_emulator.errors import bad_request, invalid, no_such
from stripe_emulator.events import changed, emit
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.money import format_amount
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.resources import balance_transactions, disputes, early_fraud_warnings
from stripe_emulator.scheduler import job, schedule

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
FAILURE_REASON = "expired_or_canceled_card"
# What Stripe reports on a refund that was canceled rather than failed.
CANCELED_REASON = "merchant_request"
# Fields Stripe shows on a refund only in some states (see tests/emulator/test_fixture_fields.py).
STATE_FIELDS = {
    "pending": ("pending_reason",),
    "requires_action": ("next_action",),
    "failed": ("failure_reason", "failure_balance_transaction"),
    "canceled": ("failure_reason", "failure_balance_transaction"),
}
_CREATE = (
    "amount",
    "charge",
    "payment_intent",
    "reason",
    "metadata",
    "instructions_email",
    "refund_application_fee",
    "reverse_transfer",
)


def _target_charge(ctx: Ctx, params: Params) -> dict[str, Any]:
    """The charge to refund, named directly or through its PaymentIntent."""
    charge_id, intent_id = params.id("charge"), params.id("payment_intent")
    if not charge_id and not intent_id:
        raise invalid(
            "One of the following params should be provided for this request: payment_intent or charge.",
            code="parameter_missing",
        )
    if intent_id:
        intent = ctx.get("payment_intents", intent_id, noun="payment_intent", param="payment_intent", status=400)
        latest = ctx.find(intent["latest_charge"])
        if intent["status"] != "succeeded" or latest is None:
            raise bad_request(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.", param="payment_intent"
            )
        if charge_id and charge_id != latest["id"]:
            raise bad_request(f"Charge {charge_id} does not belong to PaymentIntent {intent_id}.", param="charge")
        return latest
    assert charge_id is not None  # one of the two was required above, and the intent's branch returned
    charge = ctx.get("charges", charge_id, noun="charge", param="charge", status=400)
    if charge["status"] != "succeeded":
        raise bad_request(f"Charge {charge_id} has not succeeded and cannot be refunded.", param="charge")
    return charge


def create(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/refunds: `amount` defaults to what is left to refund on the charge."""
    params = Params(raw, _CREATE)
    amount = params.integer("amount", minimum=1)
    reason = params.enum("reason", REASONS)
    metadata = params.metadata() or {}
    params.string("instructions_email")
    params.boolean("refund_application_fee")
    params.boolean("reverse_transfer")
    charge = _target_charge(ctx, params)
    if disputes.blocks_refund(ctx, charge["id"]):
        raise bad_request(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.", code="charge_disputed"
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise bad_request(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
    if amount is not None and amount > remaining:
        raise bad_request(
            f"Refund amount ({format_amount(amount, charge['currency'])}) is greater than unrefunded amount on "
            f"charge ({format_amount(remaining, charge['currency'])})",
            code="amount_too_large",
            param="amount",
        )
    amount = remaining if amount is None else amount
    refund = _new_refund(ctx, charge, amount, reason, metadata, params.string("instructions_email"))
    before = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    ctx.touch(charge)
    emit(ctx, "refund.created", refund)
    emit(ctx, "charge.refunded", charge, changed(before, charge, ("amount_refunded", "refunded")))
    disputes.close_inquiries_after_refund(ctx, charge["id"])
    early_fraud_warnings.charge_changed(ctx, charge["id"])
    if refund["status"] == "pending":
        schedule(ctx, "refund_settle", refund["id"], ctx.settings.refund_pending_delay)
    if refund["status"] in ("pending", "succeeded") and TEST_CARDS[charge["_token"]].refund_fails:
        schedule(ctx, "refund_fail", refund["id"], ctx.settings.refund_failure_delay)
    return expand(ctx, public(ctx, refund), params.expand())


def _new_refund(ctx: Ctx, charge, amount: int, reason, metadata, instructions_email) -> dict[str, Any]:
    """Store a refund in the status the `refund_mode` setting selects, with its balance transaction."""
    refund_id = new_id("re")
    status = ctx.settings.refund_mode
    if status == "succeeded" and TEST_CARDS[charge["_token"]].refund_pending:
        # pm_card_pendingRefund: its refunds start pending and succeed after refund_pending_delay.
        status = "pending"
    transaction = balance_transactions.record(
        ctx,
        amount=-amount,
        currency=charge["currency"],
        kind="refund",
        category="refund",
        source=refund_id,
        description="REFUND FOR CHARGE" + (f" ({charge['description']})" if charge["description"] else ""),
    )
    extra: dict[str, Any] = {}
    if status == "pending":
        extra["pending_reason"] = "processing"
    elif status == "requires_action":
        extra["next_action"] = {
            "display_details": {
                "email_sent": {"email_sent_at": ctx.now, "email_sent_to": instructions_email or "customer@example.com"},
                "expires_at": ctx.now + 30 * 86400,
            },
            "type": "display_details",
        }
    refund = build(
        "refund",
        {
            "amount": amount,
            "balance_transaction": transaction["id"],
            "charge": charge["id"],
            "created": ctx.now,
            "currency": charge["currency"],
            "destination_details": {
                "card": build("refund", {"type": "refund"}, path="destination_details.card"),
                "type": "card",
            },
            "id": refund_id,
            "metadata": metadata,
            "object": "refund",
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": status,
            "transfer_reversal": None,
            "customer": charge["customer"],
            "customer_account": None,
            "payment_method": charge["payment_method"],
        },
        extra=extra,
    )
    return ctx.store(refund)


def _transition(ctx: Ctx, refund: dict[str, Any], status: str, **fields: Any) -> dict[str, Any]:
    """Move a refund to `status`, dropping fields of its old state; returns previous_attributes."""
    previous = {"status": refund["status"]}
    for name in STATE_FIELDS.get(refund["status"], ()):
        previous[name] = refund.pop(name, None)
    refund["status"] = status
    refund.update(fields)
    ctx.touch(refund)
    return previous


def _return_to_charge(ctx: Ctx, refund: dict[str, Any]) -> None:
    """Give a refund's amount back to its charge (failed or canceled refunds)."""
    charge = ctx.state.collection("charges")[refund["charge"]]
    charge["amount_refunded"] -= refund["amount"]
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    ctx.touch(charge)


def _reversal(ctx: Ctx, refund: dict[str, Any]) -> dict[str, Any]:
    """The balance transaction that gives back what a failed or canceled refund had taken."""
    return balance_transactions.record(
        ctx,
        amount=refund["amount"],
        currency=refund["currency"],
        kind="refund_failure",
        category="refund_failure",
        source=refund["id"],
        description="REFUND FAILURE",
    )


@job("refund_settle")
def settle(ctx: Ctx, spec: dict[str, Any]) -> None:
    """A pending refund succeeds."""
    refund = ctx.state.collection("refunds").get(spec["target"])
    if refund is None or refund["status"] != "pending":
        return
    previous = _transition(ctx, refund, "succeeded")
    emit(ctx, "refund.updated", refund, previous)
    emit(ctx, "charge.refund.updated", refund, previous)


@job("refund_fail")
def fail(ctx: Ctx, spec: dict[str, Any]) -> None:
    """A refund to an expired or canceled card fails; the money returns to the charge."""
    refund = ctx.state.collection("refunds").get(spec["target"])
    if refund is None or refund["status"] not in ("pending", "succeeded"):
        return
    transaction = _reversal(ctx, refund)
    previous = _transition(
        ctx, refund, "failed", failure_reason=FAILURE_REASON, failure_balance_transaction=transaction["id"]
    )
    _return_to_charge(ctx, refund)
    emit(ctx, "refund.updated", refund, previous)
    emit(ctx, "charge.refund.updated", refund, previous)
    emit(ctx, "refund.failed", refund, previous)


def cancel(ctx: Ctx, raw: dict[str, Any], refund_id: str) -> dict[str, Any]:
    """POST /v1/refunds/{id}/cancel: only a refund that requires action can be canceled."""
    params = Params(raw, ())
    refund = ctx.get("refunds", refund_id, noun="refund")
    if refund["status"] != "requires_action":
        raise bad_request(
            f"Refund {refund_id} cannot be canceled because its status is {refund['status']}; only refunds with "
            "status requires_action can be canceled."
        )
    transaction = _reversal(ctx, refund)
    previous = _transition(
        ctx, refund, "canceled", failure_reason=CANCELED_REASON, failure_balance_transaction=transaction["id"]
    )
    _return_to_charge(ctx, refund)
    emit(ctx, "refund.updated", refund, previous)
    emit(ctx, "charge.refund.updated", refund, previous)
    return expand(ctx, public(ctx, refund), params.expand())


def update(ctx: Ctx, raw: dict[str, Any], refund_id: str) -> dict[str, Any]:
    """POST /v1/refunds/{id}: metadata only, as on Stripe."""
    params = Params(raw, ("metadata",))
    refund = ctx.get("refunds", refund_id, noun="refund")
    if params.has("metadata"):
        before = dict(refund["metadata"])
        refund["metadata"] = params.metadata(refund["metadata"])
        ctx.touch(refund)
        if before != refund["metadata"]:
            emit(ctx, "refund.updated", refund, {"metadata": before})
            emit(ctx, "charge.refund.updated", refund, {"metadata": before})
    return expand(ctx, public(ctx, refund), params.expand())


def retrieve(ctx: Ctx, raw: dict[str, Any], refund_id: str) -> dict[str, Any]:
    """GET /v1/refunds/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("refunds", refund_id, noun="refund")), params.expand())


def list_refunds(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/refunds?charge=&payment_intent=."""
    params = Params(raw, (*LIST_PARAMS, "charge", "payment_intent"))
    charge, intent = params.id("charge"), params.id("payment_intent")
    if charge and charge not in ctx.state.collection("charges"):
        raise no_such("charge", charge, param="charge", status=400)
    items = select(ctx, "refunds", charge=charge, payment_intent=intent)
    return list_response(ctx, items, params, "/v1/refunds", "refund")


ROUTES = [
    ("POST", "/v1/refunds", create),
    ("GET", "/v1/refunds", list_refunds),
    ("GET", "/v1/refunds/{refund_id}", retrieve),
    ("POST", "/v1/refunds/{refund_id}", update),
    ("POST", "/v1/refunds/{refund_id}/cancel", cancel),
]
