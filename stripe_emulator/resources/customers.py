"""Customers: create, retrieve, update."""

from __future__ import annotations

from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import unknown_parameter
from stripe_emulator.events import changed, emit
from stripe_emulator.fixtures import build, template
from stripe_emulator.ids import new_id, random_token
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public

_FIELDS = ("address", "description", "email", "metadata", "name", "phone", "shipping", "preferred_locales")
_CREATE = {*_FIELDS, "tax_exempt"}


def _address(params: Params, name: str) -> dict[str, Any] | None:
    """An address hash with Stripe's null-filled shape."""
    given = params.hash(name)
    if given is None:
        return None
    address = template("customer", "address")
    unknown = set(given) - set(address)
    if unknown:
        raise unknown_parameter(f"{name}[{sorted(unknown)[0]}]")
    address.update({k: str(v) for k, v in given.items()})
    return address


def create(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/customers."""
    params = Params(raw, _CREATE)
    tax_exempt = params.enum("tax_exempt", ("none", "exempt", "reverse")) or "none"
    invoice_settings = template("customer", "invoice_settings")
    invoice_settings.update({"custom_fields": None, "default_payment_method": None, "footer": None})
    invoice_settings["rendering_options"] = None
    customer = build(
        "customer",
        {
            "address": _address(params, "address"),
            "balance": 0,
            "created": ctx.now,
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": params.string("description"),
            "discount": None,
            "email": params.string("email", max_length=512),
            "id": new_id("cus"),
            "invoice_prefix": random_token(8).upper(),
            "invoice_settings": invoice_settings,
            "livemode": False,
            "metadata": params.metadata() or {},
            "name": params.string("name", max_length=256),
            "next_invoice_sequence": 1,
            "object": "customer",
            "phone": params.string("phone", max_length=20),
            "preferred_locales": params.string_list("preferred_locales") or [],
            "shipping": params.hash("shipping"),
            "tax_exempt": tax_exempt,
            "test_clock": None,
        },
    )
    ctx.store(customer)
    emit(ctx, "customer.created", customer)
    return expand(ctx, public(ctx, customer), params.expand())


def retrieve(ctx: Ctx, raw: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """GET /v1/customers/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("customers", customer_id, noun="customer")), params.expand())


def update(ctx: Ctx, raw: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """POST /v1/customers/{id}: description, email, metadata, name, phone."""
    params = Params(raw, _FIELDS)
    customer = ctx.get("customers", customer_id, noun="customer")
    before = public(ctx, customer)
    for name in ("description", "email", "name", "phone"):
        if params.has(name):
            customer[name] = params.string(name) or None
    if params.has("address"):
        customer["address"] = _address(params, "address")
    if params.has("metadata"):
        customer["metadata"] = params.metadata(customer["metadata"])
    ctx.touch(customer)
    previous = changed(before, customer, ("address", "description", "email", "metadata", "name", "phone"))
    if previous:
        emit(ctx, "customer.updated", customer, previous)
    return expand(ctx, public(ctx, customer), params.expand())


def list_customers(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/customers?email=."""
    params = Params(raw, (*LIST_PARAMS, "email"))
    email = params.string("email")
    items = select(ctx, "customers", email=email)
    return list_response(ctx, items, params, "/v1/customers", "customer")


ROUTES = [
    ("POST", "/v1/customers", create),
    ("GET", "/v1/customers", list_customers),
    ("GET", "/v1/customers/{customer_id}", retrieve),
    ("POST", "/v1/customers/{customer_id}", update),
]
