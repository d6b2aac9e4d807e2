"""Admins register shop endpoints (the secret shown once), follow each one's deliveries and replay one."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from platform_support import SUPPORT, bearer
from standardwebhooks.webhooks import Webhook

from domain.shop_events import ShopEventType
from shop_webhooks.signing import body_of, signed_headers
from store import shop_events
from store.db import Database
from store.types import utcnow

ADMIN = bearer("dev-admin-1")


async def test_register_answers_the_secret_once_and_lists_without_it(
    api_without_stripe: httpx.AsyncClient, unique: Callable[[str], str]
) -> None:
    url = f"https://shop.example/{unique('hooks')}"
    created = await api_without_stripe.post(
        "/shop-endpoints",
        headers=ADMIN,
        json={"url": url, "event_types": ["order.access_ended", "customer.restricted"], "description": "provisioning"},
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["url"] == url and endpoint["active"] is True
    assert endpoint["event_types"] == ["customer.restricted", "order.access_ended"]
    assert endpoint["created_by_name"] == "dev-admin-1"
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    # The secret is a Standard Webhooks one: what we sign with it, the package verifies.
    body = body_of({"id": "evt_1", "type": "order.access_ended", "data": {}})
    assert Webhook(secret).verify(body, signed_headers(secret, "evt_1", body, utcnow()))["id"] == "evt_1"

    listed = await api_without_stripe.get("/shop-endpoints", headers=ADMIN)
    assert listed.status_code == 200
    mine = [e for e in listed.json() if e["endpoint_id"] == endpoint["endpoint_id"]]
    assert len(mine) == 1 and "secret" not in mine[0]

    again = await api_without_stripe.post("/shop-endpoints", headers=ADMIN, json={"url": url})
    assert again.status_code == 409
    assert again.json()["detail"] == f"{url} is already registered as shop endpoint {endpoint['endpoint_id']}"
    assert again.json()["code"] == "endpoint_exists"


async def test_bad_registrations_are_refused_with_a_sentence(api_without_stripe: httpx.AsyncClient) -> None:
    unknown_type = {"url": "https://s.example", "event_types": ["order.exploded"]}
    # Longer than the 1,900 characters documented: refused with a sentence, not cut (or a 500) by the database.
    too_long = {"url": "https://" + ".".join(["a" * 62] * 31) + "." + "a" * 39}
    assert len(too_long["url"]) == 2000
    nothing = {"url": "https://s.example", "event_types": []}
    for body in ({"url": "ftp://shop.example/x"}, {"url": "not a url"}, unknown_type, too_long, nothing):
        answer = await api_without_stripe.post("/shop-endpoints", headers=ADMIN, json=body)
        assert answer.status_code == 422, answer.text
        assert isinstance(answer.json()["detail"], str)
    forbidden = await api_without_stripe.post("/shop-endpoints", headers=SUPPORT, json={"url": "https://s.example"})
    assert forbidden.status_code == 403


async def test_deliveries_show_status_and_attempts_and_replay_resets_them(
    api_without_stripe: httpx.AsyncClient, database: Database, unique: Callable[[str], str]
) -> None:
    api = api_without_stripe
    created = await api.post(
        "/shop-endpoints",
        headers=ADMIN,
        json={"url": f"https://shop.example/{unique('d')}", "event_types": ["order.suspended"]},
    )
    endpoint_id = created.json()["endpoint_id"]
    order_id = unique("ord")
    key = f"dp_{order_id}:{order_id}"
    database.transact(lambda s: shop_events.emit(s, ShopEventType.ORDER_SUSPENDED, {"order_id": order_id}, key))

    def fail_it(session) -> None:
        [row], _ = shop_events.list_deliveries(session, endpoint_id, None, 10, 0)
        row.attempts, row.last_status_code, row.last_error = 40, 503, "HTTP 503: down"
        row.given_up_at = utcnow()
        session.add(row)

    database.transact(fail_it)

    page = await api.get(f"/shop-endpoints/{endpoint_id}/deliveries", headers=ADMIN)
    assert page.status_code == 200, page.text
    [delivery] = page.json()["items"]
    assert page.json()["total"] == 1
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("given_up", 40, 503)
    assert delivery["last_error"] == "HTTP 503: down" and delivery["next_attempt_at"] is None
    assert delivery["event_type"] == "order.suspended"
    assert delivery["payload"]["id"] == delivery["event_id"] and delivery["payload"]["data"]["order_id"] == order_id
    filtered = await api.get(f"/shop-endpoints/{endpoint_id}/deliveries?status=pending", headers=ADMIN)
    assert filtered.json()["items"] == []

    replayed = await api.post(f"/shop-endpoints/{endpoint_id}/deliveries/{delivery['id']}/replay", headers=ADMIN)
    assert replayed.status_code == 200, replayed.text
    body = replayed.json()
    assert (body["status"], body["attempts"], body["event_id"]) == ("pending", 0, delivery["event_id"])
    assert body["replayed_at"] is not None and body["next_attempt_at"] is not None and body["last_error"] is None

    missing = await api.post(f"/shop-endpoints/{endpoint_id}/deliveries/2147483647/replay", headers=ADMIN)
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"shop endpoint {endpoint_id} has no delivery 2147483647"
    unknown = await api.get("/shop-endpoints/ep_nope/deliveries", headers=ADMIN)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no shop endpoint with id ep_nope"
