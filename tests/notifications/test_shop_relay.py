"""The shop-event relay against a real HTTP receiver: signed, retried, each event seen once, replayed, given up."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from datetime import timedelta

from sqlmodel import col, select
from standardwebhooks.webhooks import Webhook

from domain.shop_events import ShopEventType, event_id
from shop_webhooks.receiver import ShopEventReceiver, running
from shop_webhooks.relay import ShopEventRelay, ShopRelayConfig
from store import shop_events
from store.db import Database
from store.shop_event_tables import ShopDelivery, ShopEndpoint
from store.types import utcnow

FAST = ShopRelayConfig(retry_base=timedelta(0), retry_cap=timedelta(0), timeout_seconds=5)


def register(database: Database, url: str, secret: str, event_types: list[str] | None = None) -> ShopEndpoint:
    """An endpoint at `url` signing with `secret`, as an admin would register it."""
    return database.transact(
        lambda s: shop_events.add_endpoint(s, url, event_types, None, "stf_admin", "Ada", secret=secret)
    )


def emit(database: Database, event_type: ShopEventType, key: str, **data: object) -> int:
    """Queue one event in a transaction of its own, as a publishing activity does."""
    return database.transact(lambda s: shop_events.emit(s, event_type, dict(data), key))


def deliveries(database: Database) -> list[ShopDelivery]:
    """Every delivery row, oldest first."""
    return database.transact(lambda s: list(s.exec(select(ShopDelivery).order_by(col(ShopDelivery.id)))))


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_each_event_arrives_once_signed_though_the_receiver_answers_500_twice(any_db: Database) -> None:
    secret = shop_events.new_secret()
    receiver = ShopEventReceiver(secret, fail_first=2)
    with running(receiver) as url:
        register(any_db, url, secret)
        keys = [f"rf_relay_{n}:4:settling" for n in range(3)]
        for key in keys:
            assert emit(any_db, ShopEventType.REFUND_STATUS_CHANGED, key, refund_id=key, status="settling") == 1
        # The same change published again (an activity retried after its commit) queues nothing new.
        assert emit(any_db, ShopEventType.REFUND_STATUS_CHANGED, keys[0], refund_id=keys[0], status="settling") == 0

        relay = ShopEventRelay(any_db, FAST)
        reports = [await relay.deliver_due() for _ in range(4)]

    assert [(r.claimed, r.delivered, r.retried) for r in reports] == [(3, 0, 3), (3, 0, 3), (3, 3, 0), (0, 0, 0)]
    expected = {event_id(f"refund.status_changed:{key}") for key in keys}
    assert set(receiver.events) == expected  # each accepted exactly once
    assert Counter(a.event_id for a in receiver.attempts) == dict.fromkeys(expected, 3)
    assert [a.status for a in receiver.attempts].count(200) == 3
    bodies: dict[str | None, set[bytes]] = {}
    for attempt in receiver.attempts:
        # Every attempt verifies with the endpoint's secret, checked here again independently of the receiver.
        assert attempt.verified
        payload = Webhook(secret).verify(attempt.body, attempt.headers)
        assert payload["id"] == attempt.headers["webhook-id"] and payload["type"] == "refund.status_changed"
        assert attempt.headers["content-type"] == "application/json"
        bodies.setdefault(attempt.event_id, set()).add(attempt.body)
    assert all(len(same) == 1 for same in bodies.values())  # retries send the same id and the same body
    rows = deliveries(any_db)
    assert [(r.attempts, r.last_status_code, r.last_error) for r in rows] == [(3, 200, None)] * 3
    assert all(r.delivered_at is not None and r.claimed_by is None for r in rows)
    assert "HTTP 500" not in str([r.last_error for r in rows])


async def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(db: Database) -> None:
    receiver = ShopEventReceiver(shop_events.new_secret())
    with running(receiver) as url:
        register(db, url, shop_events.new_secret())  # not the receiver's
        emit(db, ShopEventType.CUSTOMER_RESTRICTED, "cus-1:7", customer_id="cus-1")
        report = await ShopEventRelay(db, FAST).deliver_due()
    assert (report.delivered, report.retried) == (0, 1)
    assert receiver.events == {} and [a.status for a in receiver.attempts] == [401]
    [row] = deliveries(db)
    assert row.last_status_code == 401 and row.last_error is not None and "signature" in row.last_error


async def test_only_the_subscribed_types_are_queued_and_inactive_endpoints_get_none(db: Database) -> None:
    secret = shop_events.new_secret()
    narrow = register(db, "http://127.0.0.1:9/narrow", secret, ["order.access_ended"])
    everything = register(db, "http://127.0.0.1:9/all", secret)
    off = register(db, "http://127.0.0.1:9/off", secret)
    db.transact(lambda s: s.add(off.sqlmodel_update({"active": False})))
    assert emit(db, ShopEventType.ORDER_ACCESS_ENDED, "rf_1:5", order_id="ord-1") == 2
    assert emit(db, ShopEventType.ORDER_SUSPENDED, "dp_1:ord-1", order_id="ord-1") == 1
    queued = {(r.endpoint_id, r.event_type) for r in deliveries(db)}
    assert queued == {
        (narrow.endpoint_id, "order.access_ended"),
        (everything.endpoint_id, "order.access_ended"),
        (everything.endpoint_id, "order.suspended"),
    }
    # One event, one id, whichever endpoint it goes to.
    assert len({r.event_id for r in deliveries(db) if r.event_type == "order.access_ended"}) == 1


async def test_replay_sends_the_same_event_again_with_attempts_reset(db: Database) -> None:
    secret = shop_events.new_secret()
    receiver = ShopEventReceiver(secret)
    with running(receiver) as url:
        endpoint = register(db, url, secret)
        emit(db, ShopEventType.ORDER_REINSTATED, "dp_2:ord-2", order_id="ord-2")
        relay = ShopEventRelay(db, FAST)
        assert (await relay.deliver_due()).delivered == 1
        [row] = deliveries(db)
        assert row.id is not None and (row.attempts, row.replayed_at) == (1, None)
        replayed = db.transact(lambda s: shop_events.replay(s, endpoint.endpoint_id, row.id or 0))
        assert (replayed.attempts, replayed.delivered_at, replayed.given_up_at) == (0, None, None)
        assert replayed.replayed_at is not None
        assert (await relay.deliver_due()).delivered == 1
    first, second = receiver.attempts
    assert first.event_id == second.event_id == row.event_id and first.body == second.body
    assert [a.status for a in receiver.attempts] == [200, 200]
    assert list(receiver.events) == [row.event_id]  # the receiver de-duplicated the replay by its id
    [again] = deliveries(db)
    assert again.attempts == 1 and again.delivered_at is not None


async def test_backoff_doubles_up_to_its_cap_and_gives_up_after_the_span(db: Database) -> None:
    now = [utcnow()]
    config = ShopRelayConfig(
        retry_base=timedelta(seconds=30), retry_cap=timedelta(hours=1), give_up_after=timedelta(days=3)
    )
    relay = ShopEventRelay(db, config, clock=lambda: now[0])
    register(db, f"http://127.0.0.1:{closed_port()}/gone", shop_events.new_secret())
    db.transact(lambda s: shop_events.emit(s, ShopEventType.ORDER_CHARGED_BACK, {"order_id": "ord-3"}, "dp_3:ord-3"))
    [queued] = deliveries(db)
    now[0] = queued.created_at
    waits: list[timedelta] = []
    while True:
        report = await relay.deliver_due()
        assert report.claimed == 1
        [row] = deliveries(db)
        if row.given_up_at is not None:
            break
        waits.append(row.next_attempt_at - now[0])
        now[0] = row.next_attempt_at  # the clock jumps to the next attempt
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=1) and waits[-1] == timedelta(hours=1)
    # Retried for days, then given up: the last attempt within the span, the next one would have been past it.
    assert now[0] <= queued.created_at + timedelta(days=3) < now[0] + timedelta(hours=1)
    assert row.attempts == len(waits) + 1 > 70
    assert row.last_status_code is None and row.last_error is not None
    assert row.last_error.startswith("could not reach the endpoint")
    assert (await relay.deliver_due()).claimed == 0  # never tried again


async def test_a_slow_endpoint_counts_as_failed_after_the_timeout(db: Database) -> None:
    class Slow(ShopEventReceiver):
        def handle(self, body, headers):
            time.sleep(1.5)
            return super().handle(body, headers)

    secret = shop_events.new_secret()
    with running(Slow(secret)) as url:
        register(db, url, secret)
        emit(db, ShopEventType.ORDER_ACCESS_ENDED, "rf_slow:3", order_id="ord-slow")
        report = await ShopEventRelay(db, ShopRelayConfig(timeout_seconds=0.5)).deliver_due()
    assert report.retried == 1
    [row] = deliveries(db)
    assert row.last_error == "no answer within 0.5 s" and row.delivered_at is None
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)  # backs off: retry_base is 30 s


async def test_two_relays_side_by_side_deliver_each_event_once(any_db: Database) -> None:
    secret = shop_events.new_secret()
    receiver = ShopEventReceiver(secret)
    with running(receiver) as url:
        register(any_db, url, secret)
        for n in range(30):
            emit(any_db, ShopEventType.REFUND_STATUS_CHANGED, f"rf_pair_{n}:2:approved", refund_id=f"rf_pair_{n}")
        config = ShopRelayConfig(batch_size=7)
        one, two = ShopEventRelay(any_db, config), ShopEventRelay(any_db, config)
        for _ in range(6):
            await asyncio.gather(one.deliver_due(), two.deliver_due())
    assert len(receiver.events) == 30
    assert len(receiver.attempts) == 30  # no event sent twice
    assert all(r.delivered_at is not None for r in deliveries(any_db))


def test_event_ids_are_stable_and_distinct() -> None:
    assert event_id("order.access_ended:rf_1:5") == event_id("order.access_ended:rf_1:5")
    assert event_id("order.access_ended:rf_1:5") != event_id("order.access_ended:rf_1:6")
    assert event_id("x").startswith("evt_") and len(event_id("x")) == 36


async def test_the_local_receiver_logs_each_event_once_across_restarts(db: Database, tmp_path) -> None:
    secret, log_path = shop_events.new_secret(), tmp_path / "shop-events.log"
    with running(ShopEventReceiver(secret, log_path)) as url:
        endpoint = register(db, url, secret)
        emit(db, ShopEventType.CUSTOMER_RESTRICTION_LIFTED, "cus-9:12", customer_id="cus-9")
        relay = ShopEventRelay(db, FAST)
        assert (await relay.deliver_due()).delivered == 1
    [row] = deliveries(db)
    db.transact(lambda s: shop_events.replay(s, endpoint.endpoint_id, row.id or 0))
    restarted = ShopEventReceiver(secret, log_path)  # a new process reads what it logged before
    with running(restarted) as url:
        db.transact(lambda s: s.add(s.merge(endpoint).sqlmodel_update({"url": url})))
        assert (await relay.deliver_due()).delivered == 1
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert [(e["id"], e["type"], e["data"]) for e in lines] == [
        (row.event_id, "customer.restriction_lifted", {"customer_id": "cus-9"})
    ]
    assert [a.status for a in restarted.attempts] == [200]  # answered 200, not logged again
