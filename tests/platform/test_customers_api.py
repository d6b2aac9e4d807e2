"""GET /customers/{id} and the restriction that chargebacks put on new orders."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from platform_support import SHOP, SUPPORT

from store.db import Database
from store.tables import Customer


async def test_a_customer_with_orders_newest_first(api: httpx.AsyncClient, unique, order_body) -> None:
    customer_id = unique("cus")
    older, newer = unique("ord-a"), unique("ord-b")
    await api.post("/orders", headers=SHOP, json=order_body(older, customer_id, paid_at="2025-01-10T09:00:00Z"))
    await api.post(
        "/orders",
        headers=SHOP,
        json=order_body(newer, customer_id, paid_at="2025-02-10T09:00:00Z", customer_email="ada.new@example.com"),
    )
    response = await api.get(f"/customers/{customer_id}", headers=SUPPORT)
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == customer_id
    assert body["email"] == "ada.new@example.com"  # the latest registration's address
    assert body["restricted"] is False
    assert [order["order_id"] for order in body["orders"]] == [newer, older]
    assert {order["status"] for order in body["orders"]} == {"paid"}


async def test_unknown_customer_is_404(api: httpx.AsyncClient, unique) -> None:
    missing = unique("cus")
    response = await api.get(f"/customers/{missing}", headers=SUPPORT)
    assert response.status_code == 404
    assert response.json() == {"detail": f"no customer with id {missing}"}


async def test_a_restricted_customer_cannot_place_new_orders(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id, first = unique("cus"), unique("ord")
    body = order_body(first, customer_id)
    assert (await api.post("/orders", headers=SHOP, json=body)).status_code == 201

    def restrict(session) -> None:
        customer = session.get(Customer, customer_id)
        customer.restricted = True
        customer.restricted_reason = "chargeback lost on an earlier order"
        customer.restricted_at = datetime(2025, 4, 1, tzinfo=UTC)
        session.add(customer)

    database.transact(restrict)
    refused = await api.post("/orders", headers=SHOP, json=order_body(unique("ord2"), customer_id))
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"customer {customer_id} may not place new orders: chargeback lost on an earlier order"
    }
    # The shop retrying the registration of an order it already made is still answered.
    assert (await api.post("/orders", headers=SHOP, json=body)).status_code == 200
    shown = (await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()
    assert shown["restricted"] is True
    assert shown["restricted_reason"] == "chargeback lost on an earlier order"
    assert [order["order_id"] for order in shown["orders"]] == [first]
