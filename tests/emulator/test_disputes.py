"""Disputes: opened by pm_card_createDispute, won or lost by test evidence, closed, listed."""

from __future__ import annotations

import time

import pytest
import stripe

from .helpers import pay, wait_for


def _disputed_payment(client):
    """A pm_card_createDispute payment and the dispute that opens shortly after it."""
    intent = pay(client, "pm_card_createDispute", amount=5000)
    assert intent.status == "succeeded"
    listed = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)
    return intent, listed[0]


def test_dispute_opens_after_payment(client, webhook):
    receiver, secret = webhook
    before = int(time.time())
    intent, dispute = _disputed_payment(client)
    assert (dispute.status, dispute.reason, dispute.amount) == ("needs_response", "fraudulent", 5000)
    assert (dispute.charge, dispute.payment_intent, dispute.is_charge_refundable) == (
        intent.latest_charge,
        intent.id,
        False,
    )
    due_in = dispute.evidence_details.due_by - before
    assert 7 * 86400 <= due_in <= 8 * 86400
    assert dispute.balance_transactions[0].amount == -5000 and dispute.balance_transactions[0].fee == 1500
    assert client.v1.charges.retrieve(intent.latest_charge).disputed is True
    created = wait_for(lambda: receiver.of_type("charge.dispute.created"))
    event = stripe.Webhook.construct_event(created[0].payload, created[0].signature, secret)
    assert event.data.object.id == dispute.id


def _submit(client, dispute_id, text):
    return client.v1.disputes.update(
        dispute_id,
        params={"evidence": {"uncategorized_text": text, "customer_email_address": "ana@x.test"}, "submit": True},
    )


def test_winning_evidence_wins_the_dispute_with_updated_then_closed_events(client, webhook):
    receiver, secret = webhook
    intent, dispute = _disputed_payment(client)
    submitted = _submit(client, dispute.id, "winning_evidence")
    assert submitted.status == "under_review"
    assert (submitted.evidence_details.submission_count, submitted.evidence_details.has_evidence) == (1, True)
    closed = wait_for(lambda: receiver.of_type("charge.dispute.closed"))
    event = stripe.Webhook.construct_event(closed[0].payload, closed[0].signature, secret)
    assert event.data.object.status == "won"
    assert event.data.previous_attributes.status == "under_review"
    assert client.v1.disputes.retrieve(dispute.id).status == "won"
    types = [e.type for e in client.v1.events.list(params={"type": "charge.dispute.*"}).auto_paging_iter()][::-1]
    assert types == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.updated",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
    ]
    assert len(client.v1.disputes.retrieve(dispute.id).balance_transactions) == 2
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100})
    assert refund.status == "succeeded", "a won dispute no longer blocks refunds"


def test_losing_evidence_loses_the_dispute(client, webhook):
    receiver, _ = webhook
    intent, dispute = _disputed_payment(client)
    _submit(client, dispute.id, "losing_evidence")
    wait_for(lambda: receiver.of_type("charge.dispute.closed"))
    assert client.v1.disputes.retrieve(dispute.id).status == "lost"
    assert receiver.of_type("charge.dispute.updated")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert caught.value.code == "charge_disputed"


def test_staged_evidence_is_saved_without_submitting(client):
    _, dispute = _disputed_payment(client)
    staged = client.v1.disputes.update(
        dispute.id, params={"evidence": {"product_description": "12-month plan"}, "submit": False}
    )
    assert (staged.status, staged.evidence.product_description) == ("needs_response", "12-month plan")
    assert staged.evidence_details.submission_count == 0
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.disputes.update(dispute.id, params={"evidence": {"not_a_field": "x"}})
    assert caught.value.code == "parameter_unknown"


def test_closing_a_dispute_accepts_it_as_lost(client):
    _, dispute = _disputed_payment(client)
    closed = client.v1.disputes.close(dispute.id)
    assert closed.status == "lost"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.close(dispute.id)
    with pytest.raises(stripe.InvalidRequestError):
        _submit(client, dispute.id, "winning_evidence")
    assert [e.data.object.status for e in client.v1.events.list(params={"type": "charge.dispute.closed"}).data] == [
        "lost"
    ]


def test_disputes_list_filters_by_charge(client, emulator):
    first, second = pay(client), pay(client)
    emulator.control.open_dispute(first.latest_charge, reason="product_not_received")
    emulator.control.open_dispute(second.latest_charge)
    by_charge = client.v1.disputes.list(params={"charge": first.latest_charge}).data
    assert [(d.charge, d.reason) for d in by_charge] == [(first.latest_charge, "product_not_received")]
    assert len(client.v1.disputes.list().data) == 2


def test_inquiry_does_not_block_refunds_and_closes_when_fully_refunded(client):
    intent = pay(client, "pm_card_createDisputeInquiry")
    inquiry = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)[0]
    assert (inquiry.status, inquiry.is_charge_refundable) == ("warning_needs_response", True)
    client.v1.refunds.create(params={"payment_intent": intent.id})
    assert client.v1.disputes.retrieve(inquiry.id).status == "warning_closed"
