"""Fault injection: errors before or after the effect, latency, dropped connections, and the SDK's retries."""

from __future__ import annotations

import time

import httpx
import pytest
import stripe

from .helpers import card_payment, pay


def _refunds(client, intent_id):
    return client.v1.refunds.list(params={"payment_intent": intent_id}).data


def test_500_after_the_refund_took_effect_is_retried_by_the_sdk_into_exactly_one_refund(emulator):
    client = emulator.stripe_client(max_network_retries=2)
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", status=500, when="after", count=1)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    assert refund.last_response.headers["Idempotent-Replayed"] == "true", "the retry got the saved result"
    assert [r.id for r in _refunds(client, intent.id)] == [refund.id]
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 300


async def test_same_over_the_async_httpx_client(emulator):
    client = emulator.stripe_client(max_network_retries=2, http_client=stripe.HTTPXClient())
    intent = await client.v1.payment_intents.create_async(params=card_payment(800))
    emulator.control.add_fault(method="POST", path="/v1/refunds", status=503, when="after")
    refund = await client.v1.refunds.create_async(params={"payment_intent": intent.id})
    listed = await client.v1.refunds.list_async(params={"payment_intent": intent.id})
    assert [r.id for r in listed.data] == [refund.id]


def test_500_before_the_effect_changes_nothing(client, emulator):
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", status=500, count=1)
    with pytest.raises(stripe.APIError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "before-1"})
    assert caught.value.http_status == 500
    assert caught.value.json_body["error"]["type"] == "api_error"
    assert _refunds(client, intent.id) == []
    retry = client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "before-1"})
    assert "Idempotent-Replayed" not in retry.last_response.headers


def test_a_saved_500_is_replayed_and_the_sdk_is_told_not_to_retry(emulator):
    client = emulator.stripe_client(max_network_retries=3)
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", status=500, when="after", idempotent_replay=True)
    with pytest.raises(stripe.APIError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "saved-500"})
    assert caught.value.headers["Stripe-Should-Retry"] == "false"
    with pytest.raises(stripe.APIError) as replayed:
        client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "saved-500"})
    assert replayed.value.headers["Idempotent-Replayed"] == "true"
    assert replayed.value.headers["Stripe-Should-Retry"] == "false", "a replayed 500 is a saved result"
    assert replayed.value.headers["Original-Request"] == caught.value.headers["Request-Id"]
    assert replayed.value.json_body == caught.value.json_body
    assert len(_refunds(client, intent.id)) == 1, "the refund happened even though the answer was an error"


@pytest.mark.parametrize(
    "fault",
    [
        {"method": "POST", "path": "/v1/refunds", "status": 500, "when": "before"},
        {"method": "POST", "path": "/v1/refunds", "status": 500, "when": "after"},
        {"method": "POST", "path": "/v1/refunds", "status": 503, "when": "after"},
        {"method": "GET", "path": "/v1/refunds", "status": 502},
    ],
    ids=["500-before", "500-after-unsaved", "503-after-unsaved", "502-get"],
)
def test_5xx_that_a_retry_may_fix_carry_no_should_retry_false(client, emulator, fault):
    """Only a 5xx saved under the key (which a retry would replay) tells the SDK not to retry."""
    intent = pay(client)
    emulator.control.add_fault(**fault)
    with pytest.raises(stripe.APIError) as caught:
        if fault["method"] == "GET":
            client.v1.refunds.list(params={"payment_intent": intent.id})
        else:
            client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "may-fix"})
    assert caught.value.http_status == fault["status"]
    assert "Stripe-Should-Retry" not in caught.value.headers
    assert "Idempotent-Replayed" not in caught.value.headers


@pytest.mark.parametrize("when, refunds_after", [("before", 0), ("after", 1)])
def test_dropped_connection(client, emulator, when, refunds_after):
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", drop_connection=True, when=when)
    with pytest.raises(stripe.APIConnectionError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert caught.value.should_retry is True
    assert len(_refunds(client, intent.id)) == refunds_after


def test_sdk_retries_a_dropped_connection_with_the_same_key(emulator):
    client = emulator.stripe_client(max_network_retries=2)
    intent = pay(client)
    emulator.control.add_fault(method="POST", path="/v1/refunds", drop_connection=True, when="after")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert [r.id for r in _refunds(client, intent.id)] == [refund.id]


def test_latency_and_regex_paths_and_counts(client, emulator):
    customer = client.v1.customers.create()
    emulator.control.add_fault(method="GET", path=r"^/v1/customers/cus_\w+$", path_regex=True, latency_ms=400, count=2)
    durations = []
    for _ in range(3):
        started = time.monotonic()
        client.v1.customers.retrieve(customer.id)
        durations.append(time.monotonic() - started)
    assert durations[0] >= 0.4 and durations[1] >= 0.4 and durations[2] < 0.3
    assert emulator.control.faults() == []


def test_custom_error_body_lock_timeout_is_retried_by_the_sdk(emulator):
    client = emulator.stripe_client(max_network_retries=2)
    customer = client.v1.customers.create()
    emulator.control.add_fault(
        method="POST",
        path=f"/v1/customers/{customer.id}",
        status=429,
        error={"code": "lock_timeout", "message": "This object cannot be accessed right now."},
        should_retry=True,
    )
    updated = client.v1.customers.update(customer.id, params={"name": "Retried"})
    assert updated.name == "Retried"


def test_faults_can_be_listed_and_cleared_and_bad_ones_are_refused(emulator):
    emulator.control.add_fault(path="/v1/charges", status=502, count=None)
    assert [f["status"] for f in emulator.control.faults()] == [502]
    assert emulator.control.clear_faults() == 1
    with pytest.raises(httpx.HTTPStatusError) as caught:
        emulator.control.add_fault(path="/v1/charges", when="during", status=500)
    assert caught.value.response.status_code == 400
