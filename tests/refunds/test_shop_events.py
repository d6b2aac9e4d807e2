"""Events to the shop end to end: a registered endpoint hears of refunds paid and chargebacks, signed, each once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cli_support import ok, refunds
from refund_support import ADMIN, FINANCE, RefundStack
from standardwebhooks.webhooks import Webhook

from domain.shop_events import ShopEventType
from shop_webhooks.receiver import ShopEventReceiver, running
from shop_webhooks.relay import ShopEventRelay, ShopRelayConfig
from store import shop_events

# The read model on both backends: the same flows on SQLite and PostgreSQL (see conftest).
READ_MODEL_BACKENDS = ("sqlite", "postgresql")
# Retries at once, so a receiver answering 500 twice costs milliseconds, not minutes.
FAST = ShopRelayConfig(poll_seconds=0.1, retry_base=timedelta(0), retry_cap=timedelta(0))


@dataclass
class Shop:
    """The shop's receiver, registered through the API, with the worker's relay delivering to it."""

    receiver: ShopEventReceiver
    endpoint_id: str
    secret: str

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        """The events of this type received (each once)."""
        return [event for event in self.receiver.events.values() if event["type"] == event_type]

    async def wait_for(self, event_type: str, count: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until `count` events of this type arrived."""
        deadline = time.monotonic() + timeout
        while len(found := self.of_type(event_type)) < count:
            assert time.monotonic() < deadline, (
                f"no {event_type} after {timeout}s: {list(self.receiver.events.values())}"
            )
            await asyncio.sleep(0.1)
        return found


@pytest.fixture
async def shop(stack: RefundStack) -> AsyncIterator[Shop]:
    """A receiver answering 500 to each event's first two attempts, registered by an admin; the relay running."""
    receiver = ShopEventReceiver(shop_events.new_secret(), fail_first=2)
    with running(receiver) as url:
        created = await stack.api.post("/shop-endpoints", json={"url": url}, headers=ADMIN)
        assert created.status_code == 201, created.text
        receiver.use_secret(created.json()["secret"])
        stop = asyncio.Event()
        relay = asyncio.create_task(ShopEventRelay(stack.database, FAST).run(stop))
        try:
            yield Shop(receiver, created.json()["endpoint_id"], created.json()["secret"])
        finally:
            stop.set()
            await relay


def assert_each_once_after_two_500s(shop: Shop) -> None:
    """Every event was tried three times with one id, answered 500, 500, 200, and every attempt verifies."""
    by_id: dict[str | None, list[int]] = {}
    for attempt in shop.receiver.attempts:
        assert Webhook(shop.secret).verify(attempt.body, attempt.headers)["id"] == attempt.event_id
        by_id.setdefault(attempt.event_id, []).append(attempt.status)
    assert set(by_id) == set(shop.receiver.events)
    assert all(statuses == [500, 500, 200] for statuses in by_id.values()), by_id


async def test_full_refund_paid_ends_access_and_every_status_change_is_told(stack: RefundStack, shop: Shop) -> None:
    order = await stack.paid_order(amount_minor=1999)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")

    [ended] = await shop.wait_for("order.access_ended")
    assert ended["data"] == {
        "order_id": order["order_id"],
        "customer_id": order["customer_id"],
        "order_status": "refunded",
        "refund_id": refund_id,
        "amount_minor": 1999,
        "currency": "eur",
        "reason": "a full refund was paid",
    }
    deadline = time.monotonic() + 30
    while not any(e["data"]["status"] == "settling" for e in shop.of_type("refund.status_changed")):
        assert time.monotonic() < deadline, shop.of_type("refund.status_changed")
        await asyncio.sleep(0.1)
    changes = {e["data"]["previous_status"]: e["data"]["status"] for e in shop.of_type("refund.status_changed")}
    # One chain from the request to `settling`, with no status told twice.
    chain, status = [], "received"
    while status in changes:
        status = changes[status]
        chain.append(status)
    assert chain[-1] == "settling" and len(chain) == len(shop.of_type("refund.status_changed")), changes
    assert all(e["data"]["refund_id"] == refund_id for e in shop.of_type("refund.status_changed"))
    await asyncio.sleep(0.5)  # time for a duplicate to show, if the relay sent one
    assert_each_once_after_two_500s(shop)

    page = (await stack.api.get(f"/shop-endpoints/{shop.endpoint_id}/deliveries", headers=ADMIN)).json()
    assert page["total"] == len(shop.receiver.events)
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in page["items"]} == {("delivered", 3, 200)}


async def test_chargeback_suspends_restricts_reinstates_and_lifting_is_told(disputes: RefundStack, shop: Shop) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    [suspended] = await shop.wait_for("order.suspended")
    [restricted] = await shop.wait_for("customer.restricted")
    assert suspended["data"] | {"reason": None} == {
        "order_id": order["order_id"],
        "customer_id": order["customer_id"],
        "order_status": "suspended",
        "dispute_id": dispute["dispute_id"],
        "reason": None,
    }
    assert restricted["data"]["customer_id"] == order["customer_id"]
    assert restricted["data"]["dispute_id"] == dispute["dispute_id"] and restricted["data"]["restricted_at"]

    submitted = await disputes.api.post(
        f"/disputes/{dispute['dispute_id']}/submit", json={"uncategorized_text": "winning_evidence"}, headers=FINANCE
    )
    assert submitted.status_code == 200, submitted.text
    [reinstated] = await shop.wait_for("order.reinstated")
    assert reinstated["data"]["order_status"] == "active" and reinstated["data"]["order_id"] == order["order_id"]

    lifted = await disputes.api.post(
        f"/customers/{order['customer_id']}/lift-restriction", json={"note": "dispute won"}, headers=ADMIN
    )
    assert lifted.status_code == 200, lifted.text
    [lifting] = await shop.wait_for("customer.restriction_lifted")
    assert lifting["data"]["customer_id"] == order["customer_id"] and "note" not in lifting["data"]
    await asyncio.sleep(0.5)
    assert_each_once_after_two_500s(shop)
    assert shop.of_type("order.charged_back") == []


async def test_lost_dispute_tells_the_shop_the_order_is_charged_back(disputes: RefundStack, shop: Shop) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    submitted = await disputes.api.post(
        f"/disputes/{dispute['dispute_id']}/submit", json={"uncategorized_text": "losing_evidence"}, headers=FINANCE
    )
    assert submitted.status_code == 200, submitted.text
    [charged_back] = await shop.wait_for("order.charged_back")
    assert charged_back["data"]["order_status"] == "charged_back"
    assert charged_back["data"]["dispute_id"] == dispute["dispute_id"]
    assert shop.of_type("order.reinstated") == []


async def test_cli_registers_lists_follows_and_replays(stack: RefundStack, shop: Shop) -> None:
    admin = "dev-admin-1"
    add = ("add", "https://shop.example/cli-hooks", "--event", "order.access_ended", "--description", "provisioning")
    out = ok(await refunds(stack, "shop-endpoint", *add, token=admin))
    assert "registered for https://shop.example/cli-hooks" in out and "Secret" in out and "whsec_" in out
    assert "order.access_ended" in out and "not shown again" in out
    listed = ok(await refunds(stack, "shop-endpoint", "list", token=admin))
    assert "https://shop.example/cli-hooks" in listed and shop.endpoint_id in listed and "whsec_" not in listed

    key = f"dp_cli:{shop.endpoint_id}"
    await stack.database.atransact(
        lambda s: shop_events.emit(s, ShopEventType.ORDER_SUSPENDED, {"order_id": "ord-cli"}, key)
    )
    [event] = await shop.wait_for("order.suspended")
    page = (await stack.api.get(f"/shop-endpoints/{shop.endpoint_id}/deliveries", headers=ADMIN)).json()
    [delivery] = [d for d in page["items"] if d["event_id"] == event["id"]]
    shown = ok(await refunds(stack, "shop-endpoint", "deliveries", shop.endpoint_id, token=admin))
    assert event["id"] in shown and "delivered" in shown and "order.suspended" in shown

    replayed = ok(await refunds(stack, "shop-endpoint", "replay", shop.endpoint_id, str(delivery["id"]), token=admin))
    assert f"Delivery {delivery['id']} (order.suspended {event['id']}) will be sent again shortly" in replayed
    deadline = time.monotonic() + 10
    while shop.receiver.tries(event["id"]) < 4:  # 500, 500, 200, then the replay (answered 200: already received)
        assert time.monotonic() < deadline, shop.receiver.attempts
        await asyncio.sleep(0.1)
    assert list(shop.receiver.events).count(event["id"]) == 1

    refused = await refunds(stack, "shop-endpoint", "list", token="dev-support-1")
    assert refused.exit_code == 1 and "this needs the role admin" in refused.output
