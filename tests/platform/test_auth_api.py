"""Bearer tokens: missing or unknown → 401, wrong role → 403, each with a JSON `detail` a person can read."""

from __future__ import annotations

import httpx
from platform_support import SHOP, SUPPORT, bearer
from sqlmodel import col, select

from domain.roles import Role
from store.db import Database
from store.staff import create_staff
from store.tables import StaffMember


async def test_missing_token_is_401_and_says_which_header(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders/anything")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "missing staff token: send the header 'Authorization: Bearer <token>'"


async def test_a_non_bearer_scheme_counts_as_missing(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders/anything", headers={"Authorization": "Basic ZGV2OmRldg=="})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


async def test_unknown_token_is_401(api: httpx.AsyncClient) -> None:
    response = await api.get("/orders/anything", headers=bearer("rfs_not-a-real-token"))
    assert response.status_code == 401
    assert response.json() == {"detail": "unknown or revoked staff token"}


async def test_revoked_token_is_401(api: httpx.AsyncClient, database: Database, unique) -> None:
    member, token = database.transact(lambda s: create_staff(s, unique("leaver"), [Role.SUPPORT], None, "test"))
    assert (await api.get("/customers/nobody", headers=bearer(token))).status_code == 404

    def revoke(session) -> None:
        row = session.exec(select(StaffMember).where(StaffMember.staff_id == member.staff_id)).one()
        row.active = False
        session.add(row)

    database.transact(revoke)
    response = await api.get("/customers/nobody", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["detail"] == "unknown or revoked staff token"


async def test_wrong_role_is_403_and_names_the_roles(api: httpx.AsyncClient, unique, order_body) -> None:
    response = await api.post("/orders", headers=SUPPORT, json=order_body(unique("ord"), unique("cus")))
    assert response.status_code == 403
    assert response.json() == {"detail": "this needs the role admin or shop; your token has support"}


async def test_activation_also_needs_the_shop_role(api: httpx.AsyncClient, unique) -> None:
    response = await api.post(f"/orders/{unique('ord')}/activation", headers=bearer("dev-finance-1"), json={})
    assert response.status_code == 403
    assert "your token has finance" in response.json()["detail"]


async def test_admin_holds_every_role(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id = unique("ord")
    created = await api.post("/orders", headers=bearer("dev-admin-1"), json=order_body(order_id, unique("cus")))
    assert created.status_code == 201
    assert (await api.get(f"/orders/{order_id}", headers=bearer("dev-admin-1"))).status_code == 200


async def test_every_staff_role_may_read_orders_and_customers(api: httpx.AsyncClient, unique, order_body) -> None:
    order_id, customer_id = unique("ord"), unique("cus")
    assert (await api.post("/orders", headers=SHOP, json=order_body(order_id, customer_id))).status_code == 201
    for token in ("dev-support-1", "dev-approver-1", "dev-finance-1", "dev-admin-1", "dev-shop-1"):
        assert (await api.get(f"/orders/{order_id}", headers=bearer(token))).status_code == 200, token
        assert (await api.get(f"/customers/{customer_id}", headers=bearer(token))).status_code == 200, token


async def test_dev_tokens_are_stored_hashed(api: httpx.AsyncClient, database: Database) -> None:
    with database.session() as session:
        rows = {row.name: row for row in session.exec(select(StaffMember).where(col(StaffMember.name).like("dev-%")))}
    assert {"dev-support-1", "dev-support-2", "dev-approver-1", "dev-approver-2", "dev-finance-1", "dev-admin-1",
            "dev-shop-1"} <= set(rows)  # fmt: skip
    assert rows["dev-shop-1"].roles == ["shop"]
    assert all(row.token_sha256 != name and len(row.token_sha256) == 64 for name, row in rows.items())
