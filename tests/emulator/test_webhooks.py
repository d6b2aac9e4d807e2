"""Events and webhook endpoints: signing, subscriptions, retries, listing."""

from __future__ import annotations

import time

import pytest
import stripe

from .helpers import pay, wait_for


def test_endpoint_secret_is_returned_only_on_create(client, receiver):
    created = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["refund.created"], "description": "refund service"}
    )
    assert created.secret.startswith("whsec_")
    listed = client.v1.webhook_endpoints.list().data
    assert [e.id for e in listed] == [created.id]
    assert "secret" not in listed[0] and "secret" not in client.v1.webhook_endpoints.retrieve(created.id)
    deleted = client.v1.webhook_endpoints.delete(created.id)
    assert deleted.deleted is True
    assert client.v1.webhook_endpoints.list().data == []


def test_every_event_is_delivered_signed_as_stripe_signs(client, webhook):
    receiver, secret = webhook
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id})
    expected = {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    }
    wait_for(lambda: expected <= {d.event["type"] for d in receiver.deliveries})
    for delivery in receiver.deliveries:
        event = stripe.Webhook.construct_event(delivery.payload, delivery.signature, secret)
        assert event.object == "event" and event.livemode is False
        assert client.v1.events.retrieve(event.id).type == event.type
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(receiver.deliveries[0].payload, receiver.deliveries[0].signature, "whsec_wrong")


def test_client_construct_event_verifies_too(client, webhook):
    receiver, secret = webhook
    client.v1.customers.create()
    delivery = wait_for(lambda: receiver.of_type("customer.created"))[0]
    event = client.construct_event(delivery.payload, delivery.signature, secret)
    assert event.type == "customer.created"


def test_enabled_events_are_respected(client, receiver):
    client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["refund.created"]})
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id})
    wait_for(lambda: receiver.of_type("refund.created"))
    time.sleep(0.2)
    assert {d.event["type"] for d in receiver.deliveries} == {"refund.created"}


def test_non_2xx_answers_are_retried_with_backoff(client, emulator, webhook):
    receiver, secret = webhook
    receiver.answer_next(500, 503)
    client.v1.customers.create()
    accepted = wait_for(lambda: receiver.of_type("customer.created"))
    assert [d.answered for d in receiver.deliveries] == [500, 503, 200]
    assert len({d.event["id"] for d in receiver.deliveries}) == 1
    stripe.Webhook.construct_event(accepted[0].payload, accepted[0].signature, secret)
    attempts = emulator.control.webhook_deliveries()["attempts"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert attempts[2]["at"] - attempts[1]["at"] >= 2 * 0.05 * 0.9, "backoff doubles"
    event_id = receiver.deliveries[0].event["id"]
    assert wait_for(lambda: client.v1.events.retrieve(event_id).pending_webhooks == 0, timeout=2) is True


def test_delivery_gives_up_after_the_attempt_limit(client, emulator, webhook):
    receiver, _ = webhook
    receiver.answer_next(500, 500, 500, 500, 500)
    client.v1.customers.create()
    wait_for(lambda: len(receiver.deliveries) == 4)
    time.sleep(0.5)
    assert len(receiver.deliveries) == 4, "webhook_max_attempts is 4 in these tests"
    assert emulator.control.webhook_deliveries()["pending"] == []


def test_unreachable_endpoint_does_not_hold_up_other_deliveries(client, webhook):
    receiver, _ = webhook
    client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/nothing-listens-here", "enabled_events": ["*"]}
    )
    client.v1.customers.create()
    assert wait_for(lambda: receiver.of_type("customer.created"))


def test_events_list_filters_by_type_and_created(client):
    pay(client)
    everything = client.v1.events.list(params={"limit": 100}).data
    assert [e.type for e in everything][::-1] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    charges = client.v1.events.list(params={"type": "charge.*"}).data
    assert [e.type for e in charges] == ["charge.succeeded"]
    several = client.v1.events.list(params={"types": ["charge.succeeded", "payment_intent.created"]}).data
    assert {e.type for e in several} == {"charge.succeeded", "payment_intent.created"}
    future = client.v1.events.list(params={"created": {"gt": int(time.time()) + 60}}).data
    assert future == []
    event = everything[0]
    assert event.api_version and event.request.id.startswith("req_")
