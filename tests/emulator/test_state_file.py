"""With --state-file, a restart keeps payments, refunds, disputes, events, endpoints, keys and timers."""

from __future__ import annotations

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
    assert refund.id in saved.collection("refunds") and saved.collection("charges")[intent.latest_charge]["refunded"] is False
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
        assert [e["secret"] for e in second.control.webhook_endpoints()] == [secret], "reset keeps the start-up endpoint"
