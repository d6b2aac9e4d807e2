"""POST /orders, POST /orders/{id}/activation and GET /orders/{id}, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from platform_support import SHOP, SUPPORT
from sqlmodel import select

from store.db import Database
from store.tables import StaffMember


async def test_register_then_read_back(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id, customer_id = unique("ord"), unique("cus")
    created = await api.post("/orders", headers=SHOP, json=order_body(order_id, customer_id))
    assert created.status_code == 201
    body = created.json()
    assert body["order_id"] == order_id
    assert body["status"] == "paid"
    assert body["currency"] == "eur"  # stored as Stripe spells currencies
    assert body["activated_at"] is None
    read = await api.get(f"/orders/{order_id}", headers=SUPPORT)
    assert read.status_code == 200
    assert read.json() == body
    assert read.json()["paid_at"].startswith("2025-03-01T10:00:00")


async def test_registration_and_activation_record_who_did_them(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    order_id, customer_id = unique("ord"), unique("cus")
    shop_id = database.transact(
        lambda s: s.exec(select(StaffMember).where(StaffMember.name == "dev-shop-1")).one().staff_id
    )
    created = await api.post("/orders", headers=SHOP, json=order_body(order_id, customer_id))
    assert created.status_code == 201, created.text
    who = ("registered_by_id", "registered_by_name", "activated_by_id", "activated_by_name")
    assert [created.json()[k] for k in who] == [shop_id, "dev-shop-1", None, None]
    activated = await api.post(f"/orders/{order_id}/activation", headers=SHOP, json={})
    assert activated.status_code == 200, activated.text
    assert [activated.json()[k] for k in who] == [shop_id, "dev-shop-1", shop_id, "dev-shop-1"]

    events = (await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()["events"]
    assert [(e["kind"], e["order_id"], e["actor_id"], e["actor_name"]) for e in events] == [
        ("order_registered", order_id, shop_id, "dev-shop-1"),
        ("order_activated", order_id, shop_id, "dev-shop-1"),
    ]
    assert events[1]["detail"] == {"activated_at": activated.json()["activated_at"].replace("Z", "+00:00")}
    # Repeating the activation (same time) changes nothing and adds nothing.
    again = await api.post(
        f"/orders/{order_id}/activation", headers=SHOP, json={"activated_at": activated.json()["activated_at"]}
    )
    assert again.status_code == 200, again.text
    assert len((await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()["events"]) == 2


async def test_an_order_registered_as_activated_records_who_activated_it(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    order_id, customer_id = unique("ord"), unique("cus")
    body = order_body(order_id, customer_id, activated_at="2025-03-01T10:05:00Z")
    created = await api.post("/orders", headers=SHOP, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["activated_by_name"] == "dev-shop-1"
    events = (await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()["events"]
    assert [(e["kind"], e["detail"]) for e in events] == [
        ("order_registered", {}),
        ("order_activated", {"activated_at": "2025-03-01T10:05:00+00:00"}),
    ]


async def test_registering_the_same_order_again_is_harmless(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"))
    first = await api.post("/orders", headers=SHOP, json=body)
    # The same instant written in another offset and the currency in lower case are the same order.
    same = body | {"paid_at": "2025-03-01T11:00:00+01:00", "currency": "eur"}
    again = await api.post("/orders", headers=SHOP, json=same)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()


async def test_registering_it_again_with_other_data_is_409_saying_what_differs(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    body = order_body(unique("ord"), unique("cus"))
    assert (await api.post("/orders", headers=SHOP, json=body)).status_code == 201
    response = await api.post("/orders", headers=SHOP, json=body | {"amount_minor": 5000, "plan_months": 6})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith(f"order {body['order_id']} is already registered with other data: ")
    assert "plan_months is 12, not 6" in detail
    assert "amount_minor is 11988, not 5000" in detail


async def test_an_order_registered_as_activated_is_active(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"), activated_at="2025-03-01T10:05:00Z")
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 201
    assert response.json()["status"] == "active"


@pytest.mark.parametrize(
    ("change", "expected_detail"),
    [
        ({"plan_months": 2}, "plan_months: the shop sells 1, 3, 6 or 12-month plans only"),
        ({"amount_minor": -100}, "amount_minor: Input should be greater than 0"),
        ({"amount_minor": 0}, "amount_minor: Input should be greater than 0"),
        (
            {"currency": "XYZ"},
            "currency: 'XYZ' is not a currency we accept; use a three-letter ISO 4217 code such as EUR or USD",
        ),
        ({"paid_at": "2025-03-01T10:00:00"}, "paid_at: Input should have timezone info"),
        ({"activated_at": "2025-03-01T09:00:00Z"}, "activated_at cannot be earlier than paid_at"),
        ({"customer_email": "not-an-email"}, "customer_email: value is not a valid email address"),
        ({"payment_intent_id": "ch_123"}, "payment_intent_id: String should match pattern"),
        ({"order_id": "has spaces"}, "order_id: String should match pattern"),
        ({"discount": 10}, "discount: is not a field we know"),
    ],
)  # fmt: skip
async def test_bad_registrations_are_422_with_a_readable_detail(
    api: httpx.AsyncClient, unique, change: dict, expected_detail: str, order_body
) -> None:
    response = await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), unique("cus")) | change)
    assert response.status_code == 422
    assert expected_detail in response.json()["detail"]
    assert response.json()["errors"]


async def test_a_missing_field_is_named(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"))
    del body["paid_at"]
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == "paid_at: is required"


async def test_every_plan_the_shop_sells_is_accepted(api: httpx.AsyncClient, unique, order_body) -> None:
    for months in (1, 3, 6, 12):
        body = order_body(unique(f"ord{months}"), unique("cus"), plan_months=months)
        response = await api.post("/orders", headers=SHOP, json=body)
        assert response.status_code == 201, response.text


async def test_activation_is_recorded_once(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id = unique("ord")
    assert (await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus")))).status_code == 201
    activation = {"activated_at": "2025-03-01T10:30:00Z"}
    first = await api.post(f"/orders/{order_id}/activation", headers=SHOP, json=activation)
    assert first.status_code == 200
    assert first.json()["status"] == "active"
    assert first.json()["activated_at"].startswith("2025-03-01T10:30:00")
    repeated = await api.post(f"/orders/{order_id}/activation", headers=SHOP, json=activation)
    assert repeated.status_code == 200
    other = await api.post(
        f"/orders/{order_id}/activation", headers=SHOP, json={"activated_at": "2025-03-02T10:30:00Z"}
    )
    assert other.status_code == 409
    assert other.json()["detail"].startswith(f"order {order_id} was already activated at 2025-03-01T10:30:00")
    assert (await api.get(f"/orders/{order_id}", headers=SUPPORT)).json()["status"] == "active"


async def test_activation_defaults_to_now(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id = unique("ord")
    await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus")))
    response = await api.post(f"/orders/{order_id}/activation", headers=SHOP, json={})
    assert response.status_code == 200
    assert response.json()["activated_at"] > "2025-03-01T10:00:00"


async def test_activation_before_payment_is_409(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id = unique("ord")
    await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus")))
    response = await api.post(
        f"/orders/{order_id}/activation", headers=SHOP, json={"activated_at": "2025-02-28T10:00:00Z"}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "activation (2025-02-28T10:00:00+00:00) cannot precede payment (2025-03-01T10:00:00+00:00)"
    )


async def test_activation_with_a_naive_datetime_is_422(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id = unique("ord")
    await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus")))
    response = await api.post(
        f"/orders/{order_id}/activation", headers=SHOP, json={"activated_at": "2025-03-02T10:00:00"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "activated_at: Input should have timezone info"


async def test_unknown_orders_are_404(api: httpx.AsyncClient, unique) -> None:
    missing = unique("ord")
    read = await api.get(f"/orders/{missing}", headers=SUPPORT)
    assert read.status_code == 404
    assert read.json() == {"detail": f"no order with id {missing}"}
    activation = await api.post(f"/orders/{missing}/activation", headers=SHOP, json={})
    assert activation.status_code == 404
    assert activation.json() == {"detail": f"no order with id {missing}"}
