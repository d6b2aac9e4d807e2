"""PaymentIntents: create (optionally confirming), confirm, retrieve, update, cancel, list by customer."""

from __future__ import annotations

from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import StripeError, bad_request, invalid, no_such
from stripe_emulator.events import changed, emit
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id, random_token
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.money import CURRENCIES, MAXIMUM_CHARGE, MINIMUM_CHARGE, format_amount
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.resources import charges, payment_methods
from stripe_emulator.scheduler import schedule

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing")
RETURN_URL_REQUIRED = (
    "A `return_url` must be specified because this Payment Intent is configured to automatically accept the "
    "payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you "
    "do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and "
    "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents."
)
_CONFIRM_PARAMS = (
    "payment_method",
    "return_url",
    "off_session",
    "error_on_requires_action",
    "receipt_email",
    "use_stripe_sdk",
)
_CREATE_PARAMS = (
    *_CONFIRM_PARAMS,
    "amount",
    "currency",
    "customer",
    "confirm",
    "metadata",
    "description",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "capture_method",
    "confirmation_method",
    "payment_method_types",
    "automatic_payment_methods",
    "setup_future_usage",
    "shipping",
    "transfer_group",
)


def _amount_and_currency(params: Params) -> tuple[int, str]:
    """Validated amount (minor units) and lower-case currency."""
    amount = params.integer("amount", required=True)
    currency = (params.string("currency", required=True) or "").lower()
    if currency not in CURRENCIES:
        raise invalid(
            f"Invalid currency: {currency}. Stripe currently supports these currencies: ...", param="currency"
        )
    if amount < 1:
        raise invalid("Invalid positive integer", code="parameter_invalid_integer", param="amount")
    minimum = MINIMUM_CHARGE.get(currency, 50)
    if amount < minimum:
        raise invalid(
            f"Amount must be at least {format_amount(minimum, currency)} {currency}",
            code="amount_too_small",
            param="amount",
        )
    if amount > MAXIMUM_CHARGE:
        raise invalid(
            f"Amount must be no more than {format_amount(MAXIMUM_CHARGE, currency)}",
            code="amount_too_large",
            param="amount",
        )
    return amount, currency


def _methods(params: Params) -> tuple[dict[str, Any] | None, list[str], str]:
    """`automatic_payment_methods`, `payment_method_types` and whether redirects are allowed."""
    types = params.string_list("payment_method_types")
    automatic = params.hash("automatic_payment_methods")
    if types is not None and automatic is not None:
        raise invalid("You may only specify one of these parameters: automatic_payment_methods, payment_method_types.")
    if types is not None:
        unsupported = [t for t in types if t != "card"]
        if unsupported:
            raise invalid(
                f"The payment method type {unsupported[0]!r} is not supported by the emulator.",
                param="payment_method_types",
            )
        return None, types or ["card"], "never"
    if automatic is None:
        # Since API version 2023-08-16 automatic payment methods are on unless payment_method_types is given.
        return {"enabled": True}, ["card"], "always"
    sub = Params(automatic, ("enabled", "allow_redirects"))
    enabled = sub.boolean("enabled")
    redirects = sub.enum("allow_redirects", ("always", "never")) or "always"
    if not enabled:
        return None, ["card"], "never"
    return {"enabled": True}, ["card"], redirects


def create(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/payment_intents."""
    params = Params(raw, _CREATE_PARAMS)
    amount, currency = _amount_and_currency(params)
    automatic, types, redirects = _methods(params)
    capture = params.enum("capture_method", ("automatic", "automatic_async", "manual")) or "automatic_async"
    if capture == "manual":
        raise invalid("The emulator does not support capture_method=manual.", param="capture_method")
    customer = params.id("customer")
    if customer and customer not in ctx.state.collection("customers"):
        raise no_such("customer", customer, param="customer", status=400)
    confirm = params.boolean("confirm")
    if confirm and automatic and redirects != "never" and not params.string("return_url"):
        raise invalid(RETURN_URL_REQUIRED)
    metadata = params.metadata() or {}
    method_id = params.id("payment_method")
    method = payment_methods.resolve(ctx, method_id) if method_id else None
    intent_id = new_id("pi")
    intent = build(
        "payment_intent",
        {
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": automatic,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture,
            "client_secret": f"{intent_id}_secret_{random_token(25)}",
            "confirmation_method": params.enum("confirmation_method", ("automatic", "manual")) or "automatic",
            "created": ctx.now,
            "currency": currency,
            "customer": customer,
            "description": params.string("description"),
            "id": intent_id,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata,
            "next_action": None,
            "object": "payment_intent",
            "on_behalf_of": None,
            "payment_method": method["id"] if method else None,
            "payment_method_configuration_details": {"id": f"pmc_{random_token(24)}", "parent": None}
            if automatic
            else None,
            "payment_method_options": {
                "card": {
                    "installments": None,
                    "mandate_options": None,
                    "network": None,
                    "request_three_d_secure": "automatic",
                }
            },
            "payment_method_types": types,
            "processing": None,
            "receipt_email": params.string("receipt_email"),
            "review": None,
            "setup_future_usage": params.enum("setup_future_usage", ("off_session", "on_session")),
            "shipping": params.hash("shipping"),
            "statement_descriptor": params.string("statement_descriptor", max_length=22),
            "statement_descriptor_suffix": params.string("statement_descriptor_suffix", max_length=22),
            "status": "requires_confirmation" if method else "requires_payment_method",
            "transfer_data": None,
            "transfer_group": params.string("transfer_group"),
            "source": None,
            "excluded_payment_method_types": None,
            "customer_account": None,
            "managed_payments": {"enabled": False},
        },
        extra={"_allow_redirects": redirects, "_return_url": params.string("return_url")},
    )
    ctx.store(intent)
    emit(ctx, "payment_intent.created", intent)
    if confirm:
        _confirm(ctx, intent, None)
    return expand(ctx, public(ctx, intent), params.expand())


def confirm(ctx: Ctx, raw: dict[str, Any], intent_id: str) -> dict[str, Any]:
    """POST /v1/payment_intents/{id}/confirm."""
    params = Params(raw, _CONFIRM_PARAMS)
    intent = ctx.get("payment_intents", intent_id, noun="payment_intent")
    method_id = params.id("payment_method")
    method = payment_methods.resolve(ctx, method_id) if method_id else None
    if params.string("return_url"):
        intent["_return_url"] = params.string("return_url")
    if params.string("receipt_email"):
        intent["receipt_email"] = params.string("receipt_email")
    ctx.touch(intent)
    _confirm(ctx, intent, method)
    return expand(ctx, public(ctx, intent), params.expand())


def _unexpected_state(ctx: Ctx, intent: dict[str, Any], message: str) -> StripeError:
    """Stripe's `payment_intent_unexpected_state` error, carrying the PaymentIntent."""
    return StripeError(
        400, message, code="payment_intent_unexpected_state", extra={"payment_intent": public(ctx, intent)}
    )


def _confirm(ctx: Ctx, intent: dict[str, Any], method: dict[str, Any] | None) -> None:
    """Attempt the payment: a charge that succeeds or is declined (402 card_error)."""
    if intent["status"] not in CONFIRMABLE:
        if intent["status"] == "succeeded":
            text = (
                "You cannot confirm this PaymentIntent because it has already succeeded "
                "after being previously confirmed."
            )
        else:
            text = f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}."
        raise _unexpected_state(ctx, intent, text)
    if method is None:
        method = ctx.find(intent["payment_method"])
    if method is None:
        raise _unexpected_state(
            ctx,
            intent,
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the "
            "PaymentIntent, specify a payment method with the `payment_method` parameter.",
        )
    if intent["automatic_payment_methods"] and intent["_allow_redirects"] != "never" and not intent["_return_url"]:
        raise bad_request(RETURN_URL_REQUIRED)
    card = payment_methods.card_of(method)
    before = public(ctx, intent)
    charge = charges.create_for_intent(ctx, intent, method, card)
    intent["latest_charge"] = charge["id"]
    ctx.touch(intent)
    if charge["status"] == "failed":
        _decline(ctx, intent, method, charge, card, before)
    intent.update({"status": "succeeded", "amount_received": intent["amount"], "payment_method": method["id"]})
    intent["last_payment_error"] = None
    ctx.touch(intent)
    emit(ctx, "charge.succeeded", charge)
    emit(ctx, "payment_intent.succeeded", intent)
    if card.dispute_status:
        schedule(
            ctx,
            "dispute_open",
            charge["id"],
            ctx.settings.dispute_delay,
            status=card.dispute_status,
            reason=card.dispute_reason,
            remaining=card.dispute_count - 1,
        )
    if card.early_fraud_warning:
        schedule(ctx, "early_fraud_warning_open", charge["id"], ctx.settings.dispute_delay)


def _decline(ctx: Ctx, intent, method, charge, card, before) -> None:
    """Record the decline on the PaymentIntent and raise the 402 card_error Stripe answers with."""
    error = StripeError(
        402,
        card.decline_message,
        type="card_error",
        code=card.error_code,
        param=card.decline_param,
        extra={"charge": charge["id"], "decline_code": card.decline_code, "payment_method": public(ctx, method)},
    )
    last_error = error.body()["error"]
    intent.update({"status": "requires_payment_method", "payment_method": None, "last_payment_error": last_error})
    ctx.touch(intent)
    emit(ctx, "charge.failed", charge)
    emit(ctx, "payment_intent.payment_failed", intent, changed(before, intent, ("status", "last_payment_error")))
    error.extra["payment_intent"] = public(ctx, intent)
    raise error


def retrieve(ctx: Ctx, raw: dict[str, Any], intent_id: str) -> dict[str, Any]:
    """GET /v1/payment_intents/{id}."""
    params = Params(raw, ("client_secret",))
    return expand(ctx, public(ctx, ctx.get("payment_intents", intent_id, noun="payment_intent")), params.expand())


def update(ctx: Ctx, raw: dict[str, Any], intent_id: str) -> dict[str, Any]:
    """POST /v1/payment_intents/{id}: description and metadata."""
    params = Params(raw, ("description", "metadata"))
    intent = ctx.get("payment_intents", intent_id, noun="payment_intent")
    before = public(ctx, intent)
    if params.has("description"):
        intent["description"] = params.string("description") or None
    if params.has("metadata"):
        intent["metadata"] = params.metadata(intent["metadata"])
    ctx.touch(intent)
    previous = changed(before, intent, ("description", "metadata"))
    if previous:
        emit(ctx, "payment_intent.updated", intent, previous)
    return expand(ctx, public(ctx, intent), params.expand())


def cancel(ctx: Ctx, raw: dict[str, Any], intent_id: str) -> dict[str, Any]:
    """POST /v1/payment_intents/{id}/cancel."""
    params = Params(raw, ("cancellation_reason",))
    reason = params.enum("cancellation_reason", ("duplicate", "fraudulent", "requested_by_customer", "abandoned"))
    intent = ctx.get("payment_intents", intent_id, noun="payment_intent")
    if intent["status"] not in CANCELABLE:
        raise _unexpected_state(
            ctx,
            intent,
            f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. Only a PaymentIntent "
            f"with one of the following statuses may be canceled: {', '.join(CANCELABLE)}.",
        )
    intent.update({"status": "canceled", "canceled_at": ctx.now, "cancellation_reason": reason})
    ctx.touch(intent)
    emit(ctx, "payment_intent.canceled", intent)
    return expand(ctx, public(ctx, intent), params.expand())


def list_intents(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/payment_intents?customer=."""
    params = Params(raw, (*LIST_PARAMS, "customer"))
    customer = params.id("customer")
    items = select(ctx, "payment_intents", customer=customer)
    return list_response(ctx, items, params, "/v1/payment_intents", "payment_intent")


ROUTES = [
    ("POST", "/v1/payment_intents", create),
    ("GET", "/v1/payment_intents", list_intents),
    ("GET", "/v1/payment_intents/{intent_id}", retrieve),
    ("POST", "/v1/payment_intents/{intent_id}", update),
    ("POST", "/v1/payment_intents/{intent_id}/confirm", confirm),
    ("POST", "/v1/payment_intents/{intent_id}/cancel", cancel),
]
