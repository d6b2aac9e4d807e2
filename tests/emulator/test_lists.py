"""Lists: newest first, cursors both ways, `created` bounds, and filters that follow the objects they select."""

from __future__ import annotations

import pytest
import stripe

from .helpers import pay


def _ids(page) -> list[str]:
    return [o.id for o in page.data]


def _walk_forward(fetch, limit: int) -> list[str]:
    """Every ID, page by page with starting_after."""
    seen: list[str] = []
    params: dict[str, int | str] = {"limit": limit}
    while True:
        page = fetch(params)
        seen += _ids(page)
        if not page.has_more:
            return seen
        params = {"limit": limit, "starting_after": seen[-1]}


def test_refunds_of_a_payment_intent_page_newest_first_in_both_directions(client):
    intent, other = pay(client, amount=5000), pay(client, amount=5000)
    created = []
    for n in range(7):
        created.append(client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100 + n}).id)
        client.v1.refunds.create(params={"payment_intent": other.id, "amount": 100})
    newest_first = created[::-1]

    def fetch(params):
        return client.v1.refunds.list(params={"payment_intent": intent.id, **params})

    assert _ids(fetch({"limit": 100})) == newest_first
    assert _walk_forward(fetch, 3) == newest_first
    by_charge = client.v1.refunds.list(params={"charge": intent.latest_charge, "limit": 100})
    assert _ids(by_charge) == newest_first
    back = fetch({"limit": 2, "ending_before": newest_first[5]})
    assert _ids(back) == newest_first[3:5] and back.has_more is True
    assert _ids(fetch({"limit": 5, "ending_before": newest_first[2]})) == newest_first[:2]
    assert fetch({"limit": 5, "ending_before": newest_first[2]}).has_more is False
    last = fetch({"limit": 2, "starting_after": newest_first[4]})
    assert _ids(last) == newest_first[5:] and last.has_more is False


def test_a_cursor_outside_the_filter_is_refused(client):
    intent, other = pay(client), pay(client)
    foreign = client.v1.refunds.create(params={"payment_intent": other.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.list(params={"payment_intent": intent.id, "starting_after": foreign.id})
    assert caught.value.http_status == 400 and caught.value.json_body["error"]["param"] == "starting_after"


def test_created_bounds(client):
    intent = pay(client, amount=3000)
    refunds = [client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100}) for _ in range(3)]
    stamp = refunds[0].created

    def listed(**created):
        return _ids(client.v1.refunds.list(params={"payment_intent": intent.id, "created": created, "limit": 100}))

    everything = [r.id for r in refunds[::-1]]
    assert listed(gte=stamp) == [r.id for r in refunds[::-1] if r.created >= stamp] == everything
    assert listed(gt=refunds[-1].created) == []
    assert listed(lt=stamp) == []
    assert listed(lte=refunds[-1].created, gte=stamp) == everything
    exact = client.v1.refunds.list(params={"payment_intent": intent.id, "created": stamp, "limit": 100})
    assert _ids(exact) == [r.id for r in refunds[::-1] if r.created == stamp]


def test_unfiltered_lists_and_events_newest_first(client):
    first, second = client.v1.customers.create(), client.v1.customers.create()
    assert _ids(client.v1.customers.list(params={"limit": 1})) == [second.id]
    assert _walk_forward(lambda p: client.v1.customers.list(params=p), 1) == [second.id, first.id]
    newest_event = client.v1.events.list(params={"limit": 1}).data[0]
    assert newest_event.type == "customer.created" and newest_event.data.object.id == second.id
    typed = client.v1.events.list(params={"type": "customer.*", "limit": 100})
    assert [e.data.object.id for e in typed.data] == [second.id, first.id]


def test_filters_follow_changes_and_customers(client):
    customer = client.v1.customers.create(params={"email": "old@example.com"})
    client.v1.customers.update(customer.id, params={"email": "new@example.com"})
    assert _ids(client.v1.customers.list(params={"email": "old@example.com"})) == []
    assert _ids(client.v1.customers.list(params={"email": "new@example.com"})) == [customer.id]
    intent = pay(client, customer=customer.id)
    pay(client)
    assert _ids(client.v1.payment_intents.list(params={"customer": customer.id})) == [intent.id]
    assert _ids(client.v1.charges.list(params={"customer": customer.id})) == [intent.latest_charge]
    assert _ids(client.v1.charges.list(params={"payment_intent": intent.id})) == [intent.latest_charge]
    assert client.v1.charges.list(params={"payment_intent": intent.id, "customer": "cus_other"}).data == []


def test_disputes_by_charge_and_refund_blocking(client, emulator):
    intent, other = pay(client), pay(client)
    dispute = emulator.control.open_dispute(intent.latest_charge)
    assert _ids(client.v1.disputes.list(params={"charge": intent.latest_charge})) == [dispute["id"]]
    assert client.v1.disputes.list(params={"charge": other.latest_charge}).data == []
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert caught.value.code == "charge_disputed"
    assert client.v1.refunds.create(params={"payment_intent": other.id}).status == "succeeded"


def test_deleting_an_endpoint_drops_only_its_pending_deliveries(client, emulator):
    # Nothing listens on port 9 and retries wait a minute, so the deliveries stay pending.
    emulator.control.configure(webhook_retry_base=60)
    doomed = client.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/doomed", "enabled_events": ["*"]})
    kept = client.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/kept", "enabled_events": ["*"]})
    client.v1.customers.create()
    endpoints = {d["endpoint"] for d in emulator.control.webhook_deliveries()["pending"]}
    assert endpoints == {doomed.id, kept.id}
    client.v1.webhook_endpoints.delete(doomed.id)
    assert {d["endpoint"] for d in emulator.control.webhook_deliveries()["pending"]} == {kept.id}
