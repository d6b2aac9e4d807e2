"""Text and amounts the database cannot take are refused at the door with a sentence (issue 11, items 8 and 11)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from platform_support import SHOP, SUPPORT, bearer
from pydantic import BaseModel
from sqlmodel import SQLModel

from api.refund_schemas import FailureResolutionBody, InvestigationBody, NoteBody, TroubleshootingBody
from api.routes.customers import ContactCreate, LiftRestriction
from api.schemas import OrderCreate
from domain.roles import Actor, Role
from services.refunds import RefundCreate
from store.db import Database
from store.dispute_tables import CustomerContact, Dispute
from store.orders import add_order
from store.refund_tables import Refund, RefundEvent
from store.tables import Customer, CustomerEvent, Order

ADMIN = bearer("dev-admin-1")
UNSAFE = {"NUL": "\x00", "ESC": "\x1b[2J", "CSI": "\x9b", "lone surrogate": "\ud800", "bidi override": "\u202e"}


JSON = {"Content-Type": "application/json"}
SHOP_ACTOR = Actor(actor_id="stf_shop", name="shop test", roles=(Role.SHOP,))


async def registered_customer(api: httpx.AsyncClient, unique, order_body, **changes: Any) -> str:
    """A customer with one paid order."""
    customer_id = unique("cus")
    response = await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id, **changes))
    assert response.status_code == 201, response.text
    return customer_id


@pytest.mark.parametrize("unsafe", UNSAFE.values(), ids=UNSAFE.keys())
async def test_a_control_character_in_a_note_is_refused(
    api: httpx.AsyncClient, unique, unsafe: str, order_body
) -> None:
    customer_id = await registered_customer(api, unique, order_body)
    body = {"channel": "email", "note": f"customer called {unsafe} twice"}
    # Sent as json.dumps writes it: httpx would not encode a lone surrogate, which is not UTF-8.
    response = await api.post(f"/customers/{customer_id}/contacts", headers=SUPPORT | JSON, content=json.dumps(body))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("note: contains the control character U+") and "cannot be stored or shown safely" in detail


async def test_line_breaks_and_tabs_are_text_and_windows_line_ends_become_one(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    customer_id = await registered_customer(api, unique, order_body)
    note = "first call:\r\n\tasked for the refund\nsecond call"
    response = await api.post(
        f"/customers/{customer_id}/contacts", headers=SUPPORT, json={"channel": "phone", "note": note}
    )
    assert response.status_code == 201, response.text
    assert response.json()["note"] == "first call:\n\tasked for the refund\nsecond call"


@pytest.mark.parametrize(
    "path",
    [
        "/customers/cus%00x",
        "/orders/ord%00x",
        "/refunds/rf_%1b%5b2J",
        "/disputes/dp_%00",
        "/refunds?order_id=ord%00x",
        "/refunds?customer_id=cus%00x",
        "/disputes?status=lost%00",
    ],
)
async def test_a_control_character_in_a_path_or_query_is_refused(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert "contains the control character U+00" in response.json()["detail"]


async def test_a_lift_restriction_note_longer_than_its_column_is_refused(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id = await registered_customer(api, unique, order_body)

    def restrict(session) -> None:
        customer = session.get(Customer, customer_id)
        customer.restricted, customer.restricted_reason = True, "chargeback lost"
        session.add(customer)

    database.transact(restrict)
    refused = await api.post(f"/customers/{customer_id}/lift-restriction", headers=ADMIN, json={"note": "x" * 2001})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].startswith("note: String should have at most ")
    longest = "y" * _max_length(LiftRestriction, "note")
    lifted = await api.post(f"/customers/{customer_id}/lift-restriction", headers=ADMIN, json={"note": longest})
    assert lifted.status_code == 200, lifted.text
    # The reason it was restricted stays; the lifting, with its whole note, is an entry of the customer's trail.
    assert lifted.json()["restricted_reason"] == "chargeback lost"
    assert lifted.json()["events"][-1]["note"] == longest


def _max_length(model: type[BaseModel], field: str) -> int:
    """The max_length a model's field declares."""
    lengths = [m.max_length for m in model.model_fields[field].metadata if getattr(m, "max_length", None)]
    assert lengths, f"{model.__name__}.{field} has no max_length"
    return lengths[0]


def _column_length(table: type[SQLModel], column: str) -> int:
    """The VARCHAR size of a table's column."""
    return table.__table__.c[column].type.length  # type: ignore[attr-defined]


# Every text an input model stores, and the column it lands in.
STORED_AS = [
    (OrderCreate, "order_id", Order, "order_id"),
    (OrderCreate, "customer_id", Customer, "customer_id"),
    (OrderCreate, "customer_email", Customer, "email"),
    (OrderCreate, "customer_email", Order, "customer_email"),
    (OrderCreate, "payment_intent_id", Order, "payment_intent_id"),
    (RefundCreate, "order_id", Refund, "order_id"),
    (RefundCreate, "note", Refund, "note"),
    (RefundCreate, "legal_basis", Refund, "legal_basis"),
    (NoteBody, "note", RefundEvent, "note"),
    (TroubleshootingBody, "note", RefundEvent, "note"),
    (InvestigationBody, "note", RefundEvent, "note"),
    (ContactCreate, "note", CustomerContact, "note"),
    (LiftRestriction, "note", CustomerEvent, "note"),
]


@pytest.mark.parametrize(("model", "field", "table", "column"), STORED_AS, ids=lambda v: getattr(v, "__name__", v))
def test_an_input_is_no_longer_than_the_column_it_is_stored_in(model, field, table, column) -> None:
    assert _max_length(model, field) == _column_length(table, column)


def test_texts_stored_with_a_prefix_fit_their_column() -> None:
    assert len("manual payout ") + _max_length(FailureResolutionBody, "reference") <= _column_length(
        Refund, "resolution"
    )


async def test_an_amount_beyond_a_32_bit_integer_is_stored(database: Database, unique, order_body) -> None:
    # No card payment is that large (Stripe caps one at 999,999.99), but sums and zero-decimal currencies get there:
    # the columns hold it, written through the store as a registration leaves it.
    order_id, amount = unique("ord"), 2**31 + 7
    body = order_body(order_id, unique("cus"), payment_intent_id=unique("pi_big").replace("-", "_"))
    body |= {"amount_minor": amount, "paid_at": datetime(2025, 3, 1, 10, tzinfo=UTC)}
    database.transact(lambda session: add_order(session, body, SHOP_ACTOR))
    order = database.transact(lambda session: session.get(Order, order_id))
    assert order is not None and order.amount_minor == amount

    dispute_id = unique("dp")
    database.transact(
        lambda session: session.add(
            Dispute(
                dispute_id=dispute_id,
                workflow_id=f"dispute-{dispute_id}",
                charge_id="ch_1",
                amount_minor=2**40,
                currency="jpy",
                reason="general",
                status="needs_response",
                opened_at=datetime.now(UTC),
            )
        )
    )
    stored = database.transact(lambda session: session.get(Dispute, dispute_id))
    assert stored is not None and stored.amount_minor == 2**40
