"""With --state-file, a restart keeps payments, refunds, disputes, events, endpoints, keys and timers."""

from __future__ import annotations

import json
import signal
import threading

import pytest
import stripe

from stripe_emulator.storage import StateFile
from stripe_emulator.testing import run_emulator

from .helpers import FAST_SETTINGS, pay, wait_for


def test_restart_keeps_objects_and_idempotency(tmp_path, receiver):
    state_file = tmp_path / "var" / "stripe-emulator.sqlite3"
    with run_emulator(state_file=state_file, settings=FAST_SETTINGS) as first:
        client = first.stripe_client()
        endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]})
        intent = pay(client, amount=2000)
        params, key = {"payment_intent": intent.id, "amount": 500}, {"idempotency_key": "keep-me"}
        refund = client.v1.refunds.create(params=params, options=key)
        dispute = first.control.open_dispute(pay(client).latest_charge)
        event_count = len(client.v1.events.list(params={"limit": 100}).data)
    saved = StateFile(state_file).load()
    assert (
        refund.id in saved.collection("refunds")
        and saved.collection("charges")[intent.latest_charge]["refunded"] is False
    )
    with run_emulator(state_file=state_file, settings=FAST_SETTINGS) as second:
        client = second.stripe_client()
        assert client.v1.refunds.retrieve(refund.id).amount == 500
        assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 500
        assert client.v1.disputes.retrieve(dispute["id"]).status == "needs_response"
        assert client.v1.webhook_endpoints.list().data[0].id == endpoint.id
        assert len(client.v1.events.list(params={"limit": 100}).data) == event_count
        replay = client.v1.refunds.create(params=params, options=key)
        assert replay.id == refund.id and replay.last_response.headers["Idempotent-Replayed"] == "true"
        client.v1.refunds.create(params={"payment_intent": intent.id})
        assert client.v1.charges.retrieve(intent.latest_charge).refunded is True


def test_pending_timers_resume_after_restart(tmp_path):
    state_file = tmp_path / "state.sqlite3"
    slow = {**FAST_SETTINGS, "refund_mode": "pending", "refund_pending_delay": 1.0}
    with run_emulator(state_file=state_file, settings=slow) as first:
        client = first.stripe_client()
        refund = client.v1.refunds.create(params={"payment_intent": pay(client).id})
        assert refund.status == "pending"
    with run_emulator(state_file=state_file, settings=slow) as second:
        client = second.stripe_client()
        wait_for(lambda: client.v1.refunds.retrieve(refund.id).status == "succeeded", timeout=5)
        assert client.v1.events.list(params={"type": "refund.updated"}).data[0].data.object.id == refund.id


def test_startup_webhook_endpoint_is_reused_with_its_secret(tmp_path, receiver):
    state_file, secret_file = tmp_path / "state.json", tmp_path / "var" / "stripe-webhook-secret"
    options = {
        "state_file": state_file,
        "webhook_url": receiver.url,
        "webhook_secret_file": secret_file,
        "settings": FAST_SETTINGS,
    }
    with run_emulator(**options) as first:
        secret = first.webhook_secret
        endpoint_ids = [e["id"] for e in first.control.webhook_endpoints()]
        assert secret.startswith("whsec_") and secret_file.stat().st_mode & 0o077 == 0
    with run_emulator(**options) as second:
        assert second.webhook_secret == secret
        assert [e["id"] for e in second.control.webhook_endpoints()] == endpoint_ids
        second.stripe_client().v1.customers.create()
        delivery = wait_for(lambda: receiver.of_type("customer.created"))[0]
        assert stripe.Webhook.construct_event(delivery.payload, delivery.signature, secret).type == "customer.created"
        second.control.reset()
        assert [e["secret"] for e in second.control.webhook_endpoints()] == [secret], (
            "reset keeps the start-up endpoint"
        )


def test_sigkill_loses_no_acknowledged_write(tmp_path):
    """Writers run until the emulator is SIGKILLed; after a restart every answered write is there and replays."""
    state_file = tmp_path / "state.sqlite3"
    acknowledged: list[tuple[str, dict, str]] = []
    with run_emulator(state_file=state_file, settings=FAST_SETTINGS) as first:
        client = first.stripe_client()
        intents = [pay(client, amount=100_000) for _ in range(3)]
        first.control.add_fault(method="POST", path="/v1/refunds", status=500, when="after", idempotent_replay=True)
        failed_params = {"payment_intent": intents[0].id, "amount": 7}
        with pytest.raises(stripe.APIError):
            client.v1.refunds.create(params=failed_params, options={"idempotency_key": "saved-500"})

        def write(intent_id: str, prefix: str) -> None:
            writer = first.stripe_client()
            for n in range(10_000):
                key, params = f"{prefix}-{n}", {"payment_intent": intent_id, "amount": 1, "metadata": {"n": str(n)}}
                try:
                    refund = writer.v1.refunds.create(params=params, options={"idempotency_key": key})
                except stripe.APIConnectionError:
                    return
                acknowledged.append((key, params, refund.id))

        threads = [threading.Thread(target=write, args=(i.id, f"w{n}")) for n, i in enumerate(intents)]
        for thread in threads:
            thread.start()
        wait_for(lambda: len(acknowledged) >= 60, timeout=60)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        for thread in threads:
            thread.join(30)
    with run_emulator(state_file=state_file, settings=FAST_SETTINGS) as second:
        client = second.stripe_client()
        for key, params, refund_id in acknowledged:
            assert client.v1.refunds.retrieve(refund_id).metadata["n"] == params["metadata"]["n"]
            replay = client.v1.refunds.create(params=params, options={"idempotency_key": key})
            assert replay.id == refund_id and replay.last_response.headers["Idempotent-Replayed"] == "true"
        for intent in intents:
            refunds = list(
                client.v1.refunds.list(params={"payment_intent": intent.id, "limit": 100}).auto_paging_iter()
            )
            charge = client.v1.charges.retrieve(intent.latest_charge)
            assert charge.amount_refunded == sum(r.amount for r in refunds), "each write was saved whole or not at all"
        with pytest.raises(stripe.APIError) as replayed:
            client.v1.refunds.create(params=failed_params, options={"idempotency_key": "saved-500"})
        assert replayed.value.http_status == 500 and replayed.value.headers["Idempotent-Replayed"] == "true"
        assert replayed.value.headers["Stripe-Should-Retry"] == "false"


def test_a_json_state_file_of_the_previous_version_is_migrated_once(tmp_path):
    database = tmp_path / "first.sqlite3"
    with run_emulator(state_file=database, settings=FAST_SETTINGS) as first:
        client = first.stripe_client()
        intent = pay(client)
        params, key = {"payment_intent": intent.id, "amount": 300}, {"idempotency_key": "old-key"}
        refund = client.v1.refunds.create(params=params, options=key)
    store = StateFile(database)
    legacy_json = json.dumps(store.load().to_json())
    store.close()
    legacy = tmp_path / "var" / "stripe-emulator.json"
    legacy.parent.mkdir()
    legacy.write_text(legacy_json)
    for _ in range(2):  # the second start finds the database and migrates nothing
        with run_emulator(state_file=legacy, settings=FAST_SETTINGS) as second:
            client = second.stripe_client()
            assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 300
            replay = client.v1.refunds.create(params=params, options=key)
            assert replay.id == refund.id and replay.last_response.headers["Idempotent-Replayed"] == "true"
        assert legacy.read_bytes().startswith(b"SQLite format 3\0")
        assert (tmp_path / "var" / "stripe-emulator.v1-backup.json").read_text() == legacy_json
