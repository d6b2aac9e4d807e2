"""Authentication and Stripe's error shape, request IDs and status codes."""

from __future__ import annotations

import httpx
import pytest
import stripe

from .helpers import pay


def test_missing_api_key_gets_stripes_401(emulator):
    client = emulator.stripe_client(api_key="")
    with pytest.raises(stripe.AuthenticationError) as caught:
        client.v1.customers.create()
    error = caught.value
    assert error.http_status == 401
    assert error.json_body["error"]["type"] == "invalid_request_error"
    assert "You did not provide an API key" in error.json_body["error"]["message"]
    assert error.headers["Request-Id"].startswith("req_")


@pytest.mark.parametrize("key", ["sk_live_0123456789abcdef", "pk_test_0123456789abcdef", "not-a-key", "sk_test_"])
def test_malformed_or_live_api_key_is_rejected_with_the_key_masked(emulator, key):
    with pytest.raises(stripe.AuthenticationError) as caught:
        emulator.stripe_client(api_key=key).v1.customers.retrieve("cus_x")
    message = caught.value.json_body["error"]["message"]
    assert message.startswith("Invalid API Key provided")
    if len(key) > 12:
        assert key not in message, "the key must be masked"


def test_any_test_secret_key_is_accepted(emulator):
    customer = emulator.stripe_client(api_key="sk_test_anything_at_all").v1.customers.create(
        params={"email": "a@x.test"}
    )
    assert customer.email == "a@x.test"


def test_missing_object_is_404_resource_missing_with_param_id(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.retrieve("re_does_not_exist")
    error = caught.value
    assert error.http_status == 404
    assert error.code == "resource_missing"
    assert error.param == "id"
    assert error.json_body["error"]["message"] == "No such refund: 're_does_not_exist'"
    assert error.json_body["error"]["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"
    assert error.json_body["error"]["request_log_url"].endswith(error.headers["Request-Id"])


def test_missing_object_named_in_a_parameter_is_400_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": "ch_missing"})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (400, "resource_missing", "charge")


def test_unknown_parameter_is_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"emial": "typo@x.test"})
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "emial")
    assert caught.value.json_body["error"]["message"] == "Received unknown parameter: emial"


def test_missing_and_invalid_parameters(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.create(params={"currency": "usd"})
    assert (missing.value.code, missing.value.param) == ("parameter_missing", "amount")
    with pytest.raises(stripe.InvalidRequestError) as bad_integer:
        client.v1.payment_intents.create(params={"amount": "ten", "currency": "usd"})
    assert (bad_integer.value.code, bad_integer.value.param) == ("parameter_invalid_integer", "amount")
    with pytest.raises(stripe.InvalidRequestError) as too_small:
        client.v1.payment_intents.create(params={"amount": 10, "currency": "usd"})
    assert (too_small.value.code, too_small.value.param) == ("amount_too_small", "amount")


def test_unrecognized_url_is_stripes_404(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.raw_request("get", "/v1/not_a_resource")
    assert caught.value.http_status == 404
    assert caught.value.json_body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/not_a_resource)")


def test_every_response_carries_a_request_id(client):
    intent = pay(client)
    assert intent.last_response.headers["Request-Id"].startswith("req_")
    assert intent.last_response.request_id == intent.last_response.headers["Request-Id"]


def test_json_bodies_are_accepted_like_form_bodies(emulator):
    # The only request here not made with the SDK: the SDK always form-encodes /v1 bodies.
    response = httpx.post(
        f"{emulator.base_url}/v1/customers",
        json={"email": "json@x.test", "metadata": {"source": "json"}},
        headers={"Authorization": f"Bearer {emulator.api_key}", "Idempotency-Key": "json-1"},
    )
    assert response.status_code == 200, response.text
    customer = emulator.stripe_client().v1.customers.retrieve(response.json()["id"])
    assert (customer.email, customer.metadata.to_dict()) == ("json@x.test", {"source": "json"})
