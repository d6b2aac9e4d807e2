"""Stripe's test cards for refunds, disputes, early fraud warnings and declines, as docs.stripe.com/testing has them."""

from __future__ import annotations

import pytest
import stripe

from .helpers import pay, wait_for


def test_pending_refund_card_refunds_start_pending_then_succeed(client, webhook):
    receiver, _ = webhook
    intent = pay(client, "pm_card_pendingRefund")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (refund.status, refund.pending_reason) == ("pending", "processing")
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 1000
    wait_for(lambda: client.v1.refunds.retrieve(refund.id).status == "succeeded")
    updated = wait_for(lambda: receiver.of_type("refund.updated"))
    assert updated[0].event["data"]["previous_attributes"]["status"] == "pending"
    assert receiver.of_type("charge.refund.updated")


def test_product_not_received_card_opens_that_dispute(client):
    intent = pay(client, "pm_card_createDisputeProductNotReceived")
    dispute = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)[0]
    assert (dispute.status, dispute.reason) == ("needs_response", "product_not_received")
    assert dispute.payment_method_details.card.network_reason_code == "13.1"


def test_multiple_disputes_card_opens_a_second_dispute_once_the_first_closed(client, emulator):
    intent = pay(client, "pm_card_createMultipleDisputes")
    first = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)[0]
    client.v1.disputes.update(first.id, params={"evidence": {"uncategorized_text": "winning_evidence"}})

    def later_disputes():
        return [d for d in client.v1.disputes.list(params={"payment_intent": intent.id}).data if d.id != first.id]

    second = wait_for(later_disputes)[0]
    assert client.v1.disputes.retrieve(first.id).status == "won"
    assert (second.status, second.reason, second.charge) == ("needs_response", "fraudulent", intent.latest_charge)
    client.v1.disputes.close(second.id)
    assert not [j for j in emulator.control.jobs() if j["kind"] == "dispute_open"], "no third dispute follows"
    assert len(client.v1.disputes.list(params={"payment_intent": intent.id}).data) == 2


@pytest.mark.parametrize(
    ("token", "code", "decline_code", "param"),
    [
        ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card", None),
        ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", None),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc", "cvc"),
        ("pm_card_visa_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc", "cvc"),
        ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error", None),
        ("pm_card_visa_chargeDeclinedProcessingError", "processing_error", "processing_error", None),
    ],
)
def test_decline_cards_answer_their_codes(client, token, code, decline_code, param):
    with pytest.raises(stripe.CardError) as caught:
        pay(client, token)
    error = caught.value
    assert (error.code, error.error.decline_code, error.param) == (code, decline_code, param)
    charge = client.v1.charges.retrieve(error.error.charge)
    assert (charge.status, charge.failure_code, charge.outcome.reason) == ("failed", code, decline_code)
    intent = client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert (intent.status, intent.last_payment_error.decline_code) == ("requires_payment_method", decline_code)


def test_issuer_fraud_record_card_raises_an_early_fraud_warning(client, webhook):
    receiver, secret = webhook
    intent = pay(client, "pm_card_createIssuerFraudRecord")
    other = pay(client)
    warnings = client.v1.radar.early_fraud_warnings
    warning = wait_for(lambda: warnings.list(params={"payment_intent": intent.id}).data)[0]
    assert (warning.object, warning.charge, warning.payment_intent) == (
        "radar.early_fraud_warning",
        intent.latest_charge,
        intent.id,
    )
    assert (warning.actionable, warning.fraud_type, warning.livemode) == (True, "made_with_stolen_card", False)
    assert warnings.retrieve(warning.id).id == warning.id
    assert [w.id for w in warnings.list(params={"charge": intent.latest_charge}).data] == [warning.id]
    assert warnings.list(params={"charge": other.latest_charge}).data == []
    assert [w.id for w in warnings.list().data] == [warning.id]
    created = wait_for(lambda: receiver.of_type("radar.early_fraud_warning.created"))
    event = stripe.Webhook.construct_event(created[0].payload, created[0].signature, secret)
    assert event.data.object.id == warning.id
    expanded = warnings.retrieve(warning.id, params={"expand": ["charge"]})
    assert expanded.charge.id == intent.latest_charge
    with pytest.raises(stripe.InvalidRequestError) as caught:
        warnings.retrieve("issfr_missing")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_a_full_refund_makes_the_warning_no_longer_actionable(client, webhook):
    receiver, _ = webhook
    intent = pay(client, "pm_card_createIssuerFraudRecord")
    warning = wait_for(lambda: client.v1.radar.early_fraud_warnings.list(params={"payment_intent": intent.id}).data)[0]
    client.v1.refunds.create(params={"payment_intent": intent.id, "reason": "fraudulent"})
    assert client.v1.radar.early_fraud_warnings.retrieve(warning.id).actionable is False
    updated = wait_for(lambda: receiver.of_type("radar.early_fraud_warning.updated"))
    assert updated[0].event["data"]["previous_attributes"] == {"actionable": True}
