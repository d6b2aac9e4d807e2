"""Idempotency exactly as Stripe documents it."""

from __future__ import annotations

import threading
import time

import pytest
import stripe

from .helpers import card_payment, pay, wait_for


def _refunds(client, intent_id):
    return client.v1.refunds.list(params={"payment_intent": intent_id}).data


def _wait_until_in_flight(emulator):
    """The slow first request has consumed its latency fault, so its key is now in flight."""
    wait_for(lambda: emulator.control.faults() == [], timeout=5, interval=0.01)
    time.sleep(0.05)


def test_same_key_same_params_replays_the_first_response(client):
    intent = pay(client)
    params = {"payment_intent": intent.id, "amount": 400, "metadata": {"refund_id": "r-9"}}
    first = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-r-9"})
    again = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-r-9"})
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert again.last_response.request_id != first.last_response.request_id
    assert len(_refunds(client, intent.id)) == 1


def test_replays_a_saved_error_too(client):
    params = card_payment(1000, "pm_card_chargeDeclined")
    with pytest.raises(stripe.CardError) as first:
        client.v1.payment_intents.create(params=params, options={"idempotency_key": "pay-declined"})
    with pytest.raises(stripe.CardError) as again:
        client.v1.payment_intents.create(params=params, options={"idempotency_key": "pay-declined"})
    assert again.value.headers["Idempotent-Replayed"] == "true"
    assert again.value.json_body == first.value.json_body
    assert len(client.v1.payment_intents.list().data) == 1


def test_same_key_with_other_params_is_an_idempotency_error(client):
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100}, options={"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 200}, options={"idempotency_key": "k1"})
    assert caught.value.http_status == 400
    assert caught.value.json_body["error"]["type"] == "idempotency_error"
    assert "same parameters" in caught.value.user_message
    with pytest.raises(stripe.IdempotencyError) as other_endpoint:
        client.v1.customers.create(options={"idempotency_key": "k1"})
    assert "same endpoint" in other_endpoint.value.user_message
    assert len(_refunds(client, intent.id)) == 1


def test_validation_errors_are_not_saved(client):
    intent = pay(client)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"payment_intent": intent.id, "amout": 100}, options={"idempotency_key": "k2"})
    fixed = client.v1.refunds.create(
        params={"payment_intent": intent.id, "amount": 100}, options={"idempotency_key": "k2"}
    )
    assert fixed.amount == 100


def test_keys_are_scoped_per_api_key(emulator):
    first_account, second_account = (
        emulator.stripe_client(api_key="sk_test_one"),
        emulator.stripe_client(api_key="sk_test_two"),
    )
    a = first_account.v1.customers.create(params={"email": "a@x.test"}, options={"idempotency_key": "shared"})
    b = second_account.v1.customers.create(params={"email": "b@x.test"}, options={"idempotency_key": "shared"})
    assert a.id != b.id and b.email == "b@x.test"


def test_expired_keys_run_as_new_requests(client, emulator):
    intent = pay(client, amount=1000)
    params = {"payment_intent": intent.id, "amount": 100}
    first = client.v1.refunds.create(params=params, options={"idempotency_key": "old-key"})
    assert emulator.control.expire_idempotency_keys() >= 1
    second = client.v1.refunds.create(params=params, options={"idempotency_key": "old-key"})
    assert second.id != first.id and "Idempotent-Replayed" not in second.last_response.headers
    emulator.control.configure(idempotency_ttl=0)
    third = client.v1.refunds.create(params=params, options={"idempotency_key": "old-key"})
    assert third.id not in (first.id, second.id)
    assert len(_refunds(client, intent.id)) == 3


def test_concurrent_duplicate_gets_409_while_the_first_is_in_flight(client, emulator):
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", latency_ms=800, count=1)
    params = {"payment_intent": intent.id}
    results: dict[str, object] = {}

    def first_request():
        results["first"] = client.v1.refunds.create(params=params, options={"idempotency_key": "busy"})

    thread = threading.Thread(target=first_request)
    thread.start()
    _wait_until_in_flight(emulator)
    with pytest.raises(stripe.APIError) as caught:
        client.v1.refunds.create(params=params, options={"idempotency_key": "busy"})
    thread.join(5)
    assert caught.value.http_status == 409
    assert caught.value.json_body["error"]["type"] == "idempotency_error"
    assert caught.value.headers["Stripe-Should-Retry"] == "true"
    replay = client.v1.refunds.create(params=params, options={"idempotency_key": "busy"})
    assert replay.id == results["first"].id
    assert len(_refunds(client, intent.id)) == 1


def test_sdk_retry_of_a_409_gets_the_replay(emulator):
    retrying = emulator.stripe_client(max_network_retries=3)
    intent = pay(retrying)
    emulator.control.add_fault(method="POST", path="/v1/refunds", latency_ms=700, count=1)
    params, options, results = {"payment_intent": intent.id}, {"idempotency_key": "race"}, {}
    thread = threading.Thread(target=lambda: results.setdefault("first", retrying.v1.refunds.create(params, options)))
    thread.start()
    _wait_until_in_flight(emulator)
    second = retrying.v1.refunds.create(params, options)
    thread.join(5)
    assert second.id == results["first"].id
    assert len(_refunds(retrying, intent.id)) == 1
