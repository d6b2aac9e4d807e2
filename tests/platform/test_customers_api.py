"""GET /customers/{id} and the restriction that chargebacks put on new orders."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from platform_support import SHOP, SUPPORT, bearer
from sqlmodel import select

from store.db import Database
from store.dispute_tables import CustomerContact
from store.tables import Customer, StaffMember

ADMIN = bearer("dev-admin-1")


def _staff_id(database: Database, name: str) -> str:
    """The staff id of the dev token named `name`."""
    return database.transact(lambda s: s.exec(select(StaffMember).where(StaffMember.name == name)).one().staff_id)


def _restrict(database: Database, customer_id: str, reason: str) -> None:
    """Restrict a customer as a lost chargeback does."""

    def restrict(session) -> None:
        customer = session.get(Customer, customer_id)
        customer.restricted = True
        customer.restricted_reason = reason
        customer.restricted_at = datetime(2025, 4, 1, tzinfo=UTC)
        session.add(customer)

    database.transact(restrict)


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
    assert body["restricted"] is False
    assert [order["order_id"] for order in body["orders"]] == [newer, older]
    assert {order["status"] for order in body["orders"]} == {"paid"}


async def test_a_later_order_does_not_change_the_customers_email_but_is_on_the_record(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id, first, later = unique("cus"), unique("ord-a"), unique("ord-b")
    assert (await api.post("/orders", headers=SHOP, json=order_body(first, customer_id))).status_code == 201
    other = order_body(later, customer_id, customer_email="mallory@example.net", paid_at="2025-03-02T10:00:00Z")
    registered = await api.post("/orders", headers=SHOP, json=other)
    assert registered.status_code == 201, registered.text
    assert registered.json()["customer_email"] == "mallory@example.net"  # what this order gave, for its own emails

    body = (await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()
    assert body["email"] == "ada@example.com"  # the first address stays
    differs = [e for e in body["events"] if e["kind"] == "email_differs"]
    assert [(e["order_id"], e["detail"], e["actor_id"], e["actor_name"]) for e in differs] == [
        (
            later,
            {"kept": "ada@example.com", "given": "mallory@example.net"},
            _staff_id(database, "dev-shop-1"),
            "dev-shop-1",
        )
    ]
    assert "mallory@example.net" in differs[0]["note"] and "stays ada@example.com" in differs[0]["note"]


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

    _restrict(database, customer_id, "chargeback lost on an earlier order")
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


async def test_lifting_a_restriction_is_an_entry_who_when_why_and_the_reason_stays(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id = unique("cus")
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id))).status_code == 201
    _restrict(database, customer_id, "chargeback lost on an earlier order")
    note = "customer proved the card was theirs; " + "details " * 240  # 2,000 characters: longer than the reason column
    before = datetime.now(UTC)
    lifted = await api.post(f"/customers/{customer_id}/lift-restriction", headers=ADMIN, json={"note": note[:2000]})
    assert lifted.status_code == 200, lifted.text
    body = lifted.json()
    assert body["restricted"] is False
    assert body["restricted_reason"] == "chargeback lost on an earlier order"  # not overwritten by the lifting
    entry = body["events"][-1]
    assert entry["kind"] == "restriction_lifted"
    assert (entry["actor_id"], entry["actor_name"]) == (_staff_id(database, "dev-admin-1"), "dev-admin-1")
    assert entry["note"] == note[:2000]
    assert entry["detail"] == {"restricted_reason": "chargeback lost on an earlier order"}
    assert before <= datetime.fromisoformat(entry["at"]) <= datetime.now(UTC)
    # It is there for whoever reads the customer later, and a new order is accepted again.
    shown = (await api.get(f"/customers/{customer_id}", headers=SUPPORT)).json()
    assert shown["events"] == body["events"]
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord2"), customer_id))).status_code == 201


async def test_a_contact_keeps_the_staff_id_of_whoever_recorded_it(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id = unique("cus")
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id))).status_code == 201
    recorded = await api.post(f"/customers/{customer_id}/contacts", headers=SUPPORT, json={"channel": "phone"})
    assert recorded.status_code == 201, recorded.text
    staff_id = _staff_id(database, "dev-support-1")
    assert (recorded.json()["recorded_by"], recorded.json()["recorded_by_id"]) == ("dev-support-1", staff_id)
    stored = database.transact(lambda s: s.get(CustomerContact, recorded.json()["id"]))
    assert stored is not None
    assert (stored.recorded_by, stored.recorded_by_id) == ("dev-support-1", staff_id)


async def test_eligibility_follows_the_restriction_and_its_lifting(
    api: httpx.AsyncClient, database: Database, unique, order_body
) -> None:
    customer_id = unique("cus")
    never_seen = await api.get(f"/customers/{unique('cus-new')}/eligibility", headers=SHOP)
    assert never_seen.status_code == 200 and never_seen.json()["may_order"] is True
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id))).status_code == 201
    assert (await api.get(f"/customers/{customer_id}/eligibility", headers=SHOP)).json()["may_order"] is True

    _restrict(database, customer_id, "chargeback dp_1 opened without contacting support first")
    refused = (await api.get(f"/customers/{customer_id}/eligibility", headers=SHOP)).json()
    assert refused == {
        "customer_id": customer_id,
        "may_order": False,
        "message": f"customer {customer_id} may not place new orders: chargeback dp_1 opened without contacting "
        "support first",
        "restricted_reason": "chargeback dp_1 opened without contacting support first",
        "restricted_since": "2025-04-01T00:00:00Z",
    }
    # The order the shop would have charged for is refused with the same sentence.
    blocked = await api.post("/orders", headers=SHOP, json=order_body(unique("ord-refused"), customer_id))
    assert blocked.status_code == 409 and blocked.json()["detail"] == refused["message"]

    lifted = await api.post(f"/customers/{customer_id}/lift-restriction", headers=ADMIN, json={"note": "card proven"})
    assert lifted.status_code == 200, lifted.text
    again = (await api.get(f"/customers/{customer_id}/eligibility", headers=SUPPORT)).json()
    assert again["may_order"] is True and again["message"] == f"Customer {customer_id} may order."
