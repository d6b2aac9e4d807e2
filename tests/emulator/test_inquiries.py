"""Inquiries: escalation into a chargeback, test evidence that closes them, no dispute on a fully refunded charge."""

from __future__ import annotations

import httpx
import pytest
import stripe

from .helpers import pay, wait_for


def _inquiry(client):
    intent = pay(client, "pm_card_createDisputeInquiry", amount=4000)
    return intent, wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)[0]


def test_an_escalated_inquiry_becomes_a_chargeback_awaiting_evidence(client, emulator, webhook):
    receiver, _ = webhook
    intent, inquiry = _inquiry(client)
    assert inquiry.balance_transactions == []
    escalated = emulator.control.escalate_dispute(inquiry.id)
    assert (escalated["status"], escalated["is_charge_refundable"]) == ("needs_response", False)
    dispute = client.v1.disputes.retrieve(inquiry.id)
    assert dispute.payment_method_details.card.case_type == "chargeback"
    assert [(t.amount, t.fee, t.reporting_category) for t in dispute.balance_transactions] == [(-4000, 1500, "dispute")]
    updated = wait_for(lambda: receiver.of_type("charge.dispute.updated"))[0].event
    assert updated["data"]["previous_attributes"]["status"] == "warning_needs_response"
    assert updated["data"]["object"]["status"] == "needs_response"
    assert wait_for(lambda: receiver.of_type("charge.dispute.funds_withdrawn"))
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert caught.value.code == "charge_disputed"
    submitted = client.v1.disputes.update(inquiry.id, params={"evidence": {"uncategorized_text": "winning_evidence"}})
    assert submitted.status == "under_review"
    wait_for(lambda: client.v1.disputes.retrieve(inquiry.id).status == "won")


def test_only_an_open_inquiry_escalates(client, emulator):
    dispute = emulator.control.open_dispute(pay(client).latest_charge)
    with pytest.raises(httpx.HTTPStatusError) as caught:
        emulator.control.escalate_dispute(dispute["id"])
    assert caught.value.response.status_code == 400
    with pytest.raises(httpx.HTTPStatusError) as missing:
        emulator.control.escalate_dispute("dp_missing")
    assert missing.value.response.status_code == 404


@pytest.mark.parametrize("text", ["losing_evidence", "winning_evidence"])
def test_test_evidence_closes_an_inquiry_without_escalation(client, webhook, text):
    receiver, _ = webhook
    intent, inquiry = _inquiry(client)
    submitted = client.v1.disputes.update(inquiry.id, params={"evidence": {"uncategorized_text": text}})
    assert submitted.status == "warning_under_review"
    closed = wait_for(lambda: receiver.of_type("charge.dispute.closed"))[0].event["data"]["object"]
    assert (closed["status"], closed["is_charge_refundable"], closed["balance_transactions"]) == (
        "warning_closed",
        True,
        [],
    )
    assert not receiver.of_type("charge.dispute.funds_withdrawn")
    assert client.v1.refunds.create(params={"payment_intent": intent.id}).status == "succeeded"


def test_no_dispute_opens_on_a_fully_refunded_charge(client, emulator):
    emulator.control.configure(dispute_delay=60)
    intent = pay(client, "pm_card_createDispute")
    client.v1.refunds.create(params={"payment_intent": intent.id})
    assert emulator.control.run_jobs() == 1
    assert client.v1.disputes.list(params={"payment_intent": intent.id}).data == []
    assert client.v1.charges.retrieve(intent.latest_charge).disputed is False
    with pytest.raises(httpx.HTTPStatusError) as caught:
        emulator.control.open_dispute(intent.latest_charge)
    assert caught.value.response.status_code == 400
    assert "fully refunded" in caught.value.response.json()["error"]


def test_a_partly_refunded_charge_can_still_be_disputed(client, emulator):
    emulator.control.configure(dispute_delay=60)
    intent = pay(client, "pm_card_createDispute")
    client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 400})
    emulator.control.run_jobs()
    assert [d.status for d in client.v1.disputes.list(params={"payment_intent": intent.id}).data] == ["needs_response"]
