"""A charge's refunds: left out of charges and their webhooks unless expanded (Stripe since 2022-11-15); sub-list."""

from __future__ import annotations

import pytest
import stripe

from .helpers import pay, wait_for


def test_charges_and_charge_refunded_webhooks_carry_no_refunds_list(client, webhook):
    receiver, _ = webhook
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    refunded = wait_for(lambda: receiver.of_type("charge.refunded"))[0].event["data"]["object"]
    assert refunded["amount_refunded"] == 300 and "refunds" not in refunded
    assert "refunds" not in client.v1.charges.retrieve(intent.latest_charge)
    assert all("refunds" not in c for c in client.v1.charges.list().data)
    listed = client.v1.charges.list(params={"expand": ["data.refunds"]}).data[0]
    assert [r.amount for r in listed.refunds.data] == [300]
    through_intent = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge.refunds"]})
    assert through_intent.latest_charge.refunds.url == f"/v1/charges/{intent.latest_charge}/refunds"


def _get(client, path, **params):
    """A GET the SDK has no service method for (it dropped charges.refunds), through its raw request and decoder."""
    return client.deserialize(client.raw_request("get", path, **params), api_mode="V1")


def test_charge_refunds_sub_list_and_retrieve(client):
    charge_id = pay(client, amount=1000).latest_charge
    other = pay(client).latest_charge
    made = [client.v1.refunds.create(params={"charge": charge_id, "amount": 100}) for _ in range(3)]
    foreign = client.v1.refunds.create(params={"charge": other, "amount": 100})
    page = _get(client, f"/v1/charges/{charge_id}/refunds", limit=2)
    assert [r.id for r in page.data] == [made[2].id, made[1].id] and page.has_more
    rest = _get(client, f"/v1/charges/{charge_id}/refunds", starting_after=made[1].id)
    assert ([r.id for r in rest.data], rest.has_more) == ([made[0].id], False)
    assert _get(client, f"/v1/charges/{charge_id}/refunds/{made[0].id}").amount == 100
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _get(client, f"/v1/charges/{charge_id}/refunds/{foreign.id}")
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (404, "resource_missing", "refund")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _get(client, "/v1/charges/ch_missing/refunds")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
