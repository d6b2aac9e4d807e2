"""Refunds: amounts, errors, statuses, asynchronous success and failure, with their events and webhooks."""

from __future__ import annotations

import pytest
import stripe

from .helpers import pay, wait_for


def test_full_refund_by_payment_intent_defaults_to_the_whole_amount(client):
    intent = pay(client, amount=3000)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "reason": "requested_by_customer"})
    assert (refund.status, refund.amount, refund.reason) == ("succeeded", 3000, "requested_by_customer")
    assert (refund.charge, refund.payment_intent) == (intent.latest_charge, intent.id)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (3000, True)
    assert "refunds" not in charge, "Stripe leaves charge.refunds out unless expanded (since 2022-11-15)"
    expanded = client.v1.charges.retrieve(intent.latest_charge, params={"expand": ["refunds"]})
    assert [r.id for r in expanded.refunds.data] == [refund.id]
    transaction = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (transaction.type, transaction.amount, transaction.source) == ("refund", -3000, refund.id)


def test_partial_refunds_by_charge_then_the_remainder(client):
    charge_id = pay(client, amount=1000).latest_charge
    first = client.v1.refunds.create(params={"charge": charge_id, "amount": 300, "metadata": {"refund_id": "r-1"}})
    second = client.v1.refunds.create(params={"charge": charge_id, "amount": 200})
    partly = client.v1.charges.retrieve(charge_id)
    assert (partly.amount_refunded, partly.refunded) == (500, False)
    rest = client.v1.refunds.create(params={"charge": charge_id})
    assert rest.amount == 500
    charge = client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    assert first.metadata.to_dict() == {"refund_id": "r-1"}
    listed = client.v1.refunds.list(params={"charge": charge_id})
    assert [r.id for r in listed.data] == [rest.id, second.id, first.id]


def test_refund_over_the_refundable_amount_is_amount_too_large(client):
    charge_id = pay(client, amount=1000).latest_charge
    client.v1.refunds.create(params={"charge": charge_id, "amount": 600})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"charge": charge_id, "amount": 401})
    error = caught.value
    assert (error.http_status, error.code, error.param) == (400, "amount_too_large", "amount")
    assert error.json_body["error"]["message"] == (
        "Refund amount ($4.01) is greater than unrefunded amount on charge ($4.00)"
    )
    assert len(client.v1.refunds.list(params={"charge": charge_id}).data) == 1


def test_refunding_a_fully_refunded_charge_is_charge_already_refunded(client):
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100})
    assert (caught.value.http_status, caught.value.code) == (400, "charge_already_refunded")


def test_refund_of_a_disputed_charge_is_charge_disputed(client):
    intent = pay(client, "pm_card_createDispute")
    wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (caught.value.http_status, caught.value.code) == (400, "charge_disputed")
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 0


def test_refund_needs_a_charge_or_payment_intent_and_a_valid_reason(client):
    with pytest.raises(stripe.InvalidRequestError) as neither:
        client.v1.refunds.create(params={"amount": 100})
    assert neither.value.code == "parameter_missing"
    intent = pay(client)
    with pytest.raises(stripe.InvalidRequestError) as reason:
        client.v1.refunds.create(params={"payment_intent": intent.id, "reason": "changed_mind"})
    assert reason.value.param == "reason"
    unpaid_intent = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method_types": ["card"]}
    )
    with pytest.raises(stripe.InvalidRequestError) as unpaid:
        client.v1.refunds.create(params={"payment_intent": unpaid_intent.id})
    assert unpaid.value.param == "payment_intent"


def test_refund_events_are_recorded_with_the_request(client):
    intent = pay(client)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id}, options={"idempotency_key": "refund-evt-1"})
    created = client.v1.events.list(params={"type": "refund.created"}).data[0]
    assert created.data.object.id == refund.id
    assert created.request.idempotency_key == "refund-evt-1"
    assert created.request.id == refund.last_response.request_id
    refunded = client.v1.events.list(params={"type": "charge.refunded"}).data[0]
    assert refunded.data.object.amount_refunded == 1000
    assert refunded.data.previous_attributes.to_dict() == {"amount_refunded": 0, "refunded": False}


def test_cancel_is_refused_unless_the_refund_requires_action(client):
    refund = client.v1.refunds.create(params={"payment_intent": pay(client).id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.cancel(refund.id)
    assert "requires_action" in caught.value.user_message


def test_refund_requiring_action_can_be_canceled_and_returns_the_amount(client, emulator):
    emulator.control.configure(refund_mode="requires_action")
    intent = pay(client, amount=2000)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500})
    assert refund.status == "requires_action" and refund.next_action.type == "display_details"
    canceled = client.v1.refunds.cancel(refund.id)
    assert canceled.status == "canceled" and "next_action" not in canceled
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (0, False)


def test_pending_mode_refund_succeeds_later_with_refund_updated(client, emulator, webhook):
    receiver, secret = webhook
    emulator.control.configure(refund_mode="pending", refund_pending_delay=0.2)
    intent = pay(client)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (refund.status, refund.pending_reason) == ("pending", "processing")
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 1000
    wait_for(lambda: client.v1.refunds.retrieve(refund.id).status == "succeeded")
    updated = wait_for(lambda: receiver.of_type("refund.updated"))
    event = stripe.Webhook.construct_event(updated[0].payload, updated[0].signature, secret)
    assert event.data.object.status == "succeeded"
    assert event.data.previous_attributes.status == "pending"
    assert "pending_reason" not in client.v1.refunds.retrieve(refund.id)


def test_timed_transitions_can_be_run_at_once(client, emulator):
    emulator.control.configure(refund_mode="pending", refund_pending_delay=3600)
    refund = client.v1.refunds.create(params={"payment_intent": pay(client).id})
    assert [j["kind"] for j in emulator.control.jobs()] == ["refund_settle"]
    assert emulator.control.run_jobs() == 1
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    assert emulator.control.jobs() == []


def test_refund_to_refund_fail_card_fails_with_webhook_and_returns_the_amount(client, webhook):
    receiver, secret = webhook
    intent = pay(client, "pm_card_refundFail", amount=4200)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert refund.status == "succeeded", "Stripe first reports success for this card"
    failed = wait_for(lambda: receiver.of_type("refund.failed"))
    event = stripe.Webhook.construct_event(failed[0].payload, failed[0].signature, secret)
    assert event.type == "refund.failed"
    assert (event.data.object.id, event.data.object.status) == (refund.id, "failed")
    assert event.data.object.failure_reason == "expired_or_canceled_card"
    stored = client.v1.refunds.retrieve(refund.id)
    assert (stored.status, stored.failure_reason) == ("failed", "expired_or_canceled_card")
    failure_txn = client.v1.balance_transactions.retrieve(stored.failure_balance_transaction)
    assert (failure_txn.type, failure_txn.amount) == ("refund_failure", 4200)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (0, False)
    assert wait_for(lambda: receiver.of_type("charge.refund.updated"))
    again = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert again.amount == 4200, "the failed amount is refundable again"


def test_refund_metadata_update(client):
    refund = client.v1.refunds.create(params={"payment_intent": pay(client).id, "metadata": {"a": "1", "b": "2"}})
    updated = client.v1.refunds.update(refund.id, params={"metadata": {"a": "", "c": "3"}})
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
