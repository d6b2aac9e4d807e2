"""An order is registered only against its own succeeded Stripe payment, and a payment pays one order only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import stripe
from platform_support import SHOP, SUPPORT, order_body

from domain.roles import Actor, Role
from store.db import Database
from store.orders import PaymentTaken, add_order
from stripe_emulator.testing import pay

SHOP_ACTOR = Actor(actor_id="stf_shop", name="shop test", roles=(Role.SHOP,))


async def test_an_order_naming_another_orders_payment_is_409(api: httpx.AsyncClient, unique, order_body) -> None:
    # The issue's case: ord-4002 registered with ord-3002's payment intent, for another customer.
    first = order_body(unique("ord-3002"), unique("cus-a"))
    assert (await api.post("/orders", headers=SHOP, json=first)).status_code == 201
    second = order_body(unique("ord-4002"), unique("cus-b"), payment_intent_id=first["payment_intent_id"])
    response = await api.post("/orders", headers=SHOP, json=second)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "payment_already_used"
    assert response.json()["detail"] == (
        f"payment {first['payment_intent_id']} already pays order {first['order_id']}; "
        "a payment belongs to one order only"
    )
    assert (await api.get(f"/orders/{second['order_id']}", headers=SUPPORT)).status_code == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"amount_minor": 5000}, "received 119.88 EUR, not 50.00 EUR"),
        ({"currency": "USD"}, "was made in EUR, not USD"),
    ],
    ids=["amount", "currency"],
)
async def test_an_order_unlike_its_payment_is_422_saying_what_differs(
    api: httpx.AsyncClient, unique, shop_stripe: stripe.StripeClient, change: dict[str, Any], words: str
) -> None:
    intent = pay(shop_stripe, 11988, "eur")
    body = order_body(shop_stripe, unique("ord"), unique("cus"), payment_intent_id=intent.id) | change
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "payment_mismatch"
    assert response.json()["detail"] == f"The order does not match its payment at Stripe: payment {intent.id} {words}."
    assert (await api.get(f"/orders/{body['order_id']}", headers=SUPPORT)).status_code == 404


async def test_a_payment_by_another_stripe_customer_is_422(
    api: httpx.AsyncClient, unique, shop_stripe: stripe.StripeClient
) -> None:
    payer, claimed = (shop_stripe.v1.customers.create({"email": f"{n}@example.com"}) for n in ("payer", "claimed"))
    intent = pay(shop_stripe, 11988, "eur", customer=payer.id)
    body = order_body(shop_stripe, unique("ord"), unique("cus"), payment_intent_id=intent.id)
    refused = await api.post("/orders", headers=SHOP, json=body | {"stripe_customer_id": claimed.id})
    assert refused.status_code == 422, refused.text
    assert f"payment {intent.id} was made by Stripe customer {payer.id}, not {claimed.id}" in refused.json()["detail"]
    accepted = await api.post("/orders", headers=SHOP, json=body | {"stripe_customer_id": payer.id})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["stripe_customer_id"] == payer.id


async def test_a_payment_without_a_customer_is_not_a_given_customers(
    api: httpx.AsyncClient, unique, shop_stripe: stripe.StripeClient
) -> None:
    customer = shop_stripe.v1.customers.create({"email": "someone@example.com"})
    body = order_body(shop_stripe, unique("ord"), unique("cus"), stripe_customer_id=customer.id)
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422, response.text
    assert f"was made by no Stripe customer, not {customer.id}" in response.json()["detail"]


async def test_a_payment_that_has_not_succeeded_is_422(
    api: httpx.AsyncClient, unique, shop_stripe: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.CardError) as declined:
        pay(shop_stripe, 11988, "eur", card="pm_card_chargeDeclined")
    intent_id = declined.value.error.payment_intent.id  # type: ignore[union-attr]
    body = order_body(shop_stripe, unique("ord"), unique("cus"), payment_intent_id=intent_id)
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        f"The order does not match its payment at Stripe: payment {intent_id} has status requires_payment_method, "
        "not succeeded: it was not paid."
    )


async def test_a_payment_stripe_does_not_know_is_422(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"), payment_intent_id="pi_3NeverMade0000")
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "payment_not_found"
    assert response.json()["detail"].startswith("Stripe has no payment pi_3NeverMade0000")


async def test_unreachable_stripe_is_503_and_records_nothing(
    api: httpx.AsyncClient, api_without_stripe: httpx.AsyncClient, unique, order_body
) -> None:
    body = order_body(unique("ord"), unique("cus"))
    response = await api_without_stripe.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    assert response.json()["detail"].startswith(
        f"Stripe could not be asked whether payment {body['payment_intent_id']}"
    )
    assert (await api.get(f"/orders/{body['order_id']}", headers=SUPPORT)).status_code == 404
    # Once Stripe answers, the same registration goes through; repeating it needs no Stripe at all.
    assert (await api.post("/orders", headers=SHOP, json=body)).status_code == 201
    assert (await api_without_stripe.post("/orders", headers=SHOP, json=body)).status_code == 200


async def test_two_orders_registered_at_once_on_one_payment_give_one_order(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    first = order_body(unique("ord-a"), unique("cus"))
    second = first | {"order_id": unique("ord-b")}
    answers = await asyncio.gather(*(api.post("/orders", headers=SHOP, json=body) for body in (first, second)))
    assert sorted(answer.status_code for answer in answers) == [201, 409], [a.text for a in answers]


async def test_two_orders_of_a_new_customer_registered_at_once_are_both_recorded(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    for attempt in range(3):  # the race is on the customer's first row: try it a few times
        customer_id = unique(f"cus{attempt}")
        bodies = [order_body(unique(f"ord{attempt}{n}"), customer_id) for n in "ab"]
        answers = await asyncio.gather(*(api.post("/orders", headers=SHOP, json=body) for body in bodies))
        assert [answer.status_code for answer in answers] == [201, 201], [a.text for a in answers]


async def test_the_same_registration_sent_twice_at_once_is_one_order(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    # A shop retrying while its first request is still in flight gets the order, not a conflict with itself.
    body = order_body(unique("ord"), unique("cus"))
    answers = await asyncio.gather(*(api.post("/orders", headers=SHOP, json=body) for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()


def test_the_database_refuses_a_second_order_on_a_payment(
    database: Database, unique: Callable[[str], str], shop_stripe: stripe.StripeClient
) -> None:
    # Whatever skips the service's check (a race, another entry point), the unique constraint still decides.
    first = order_body(shop_stripe, unique("ord-a"), unique("cus"), paid_at=datetime(2025, 3, 1, 10, tzinfo=UTC))
    assert database.transact(lambda session: add_order(session, first, SHOP_ACTOR))[1] is True
    with pytest.raises(PaymentTaken) as refused:
        database.transact(lambda session: add_order(session, first | {"order_id": unique("ord-b")}, SHOP_ACTOR))
    assert refused.value.order_id == first["order_id"]
