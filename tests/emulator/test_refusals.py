"""Input Stripe refuses is refused: evidence beyond limits or naming missing files, bad API versions and event types."""

from __future__ import annotations

import pytest
import stripe

from stripe_emulator.resources.dispute_evidence import LONG_TEXT_FIELDS

from .helpers import pay, wait_for


def _dispute(client, emulator):
    return emulator.control.open_dispute(pay(client).latest_charge)["id"]


def _refused(call) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    assert caught.value.http_status == 400
    return caught.value


def test_evidence_text_is_limited_per_field(client, emulator):
    dispute_id = _dispute(client, emulator)
    stage = lambda evidence: client.v1.disputes.update(dispute_id, params={"evidence": evidence, "submit": False})  # noqa: E731
    assert stage({"uncategorized_text": "x" * 20_000}).evidence.uncategorized_text == "x" * 20_000
    error = _refused(lambda: stage({"uncategorized_text": "x" * 20_001}))
    assert error.param == "evidence[uncategorized_text]" and "at most 20000 characters" in error.user_message
    error = _refused(lambda: stage({"customer_name": "n" * 5_001}))
    assert error.param == "evidence[customer_name]" and "at most 5000 characters" in error.user_message
    assert client.v1.disputes.retrieve(dispute_id).evidence.customer_name is None


def test_evidence_is_limited_to_150000_characters_combined_with_what_was_staged(client, emulator):
    dispute_id = _dispute(client, emulator)
    fields = sorted(LONG_TEXT_FIELDS)
    client.v1.disputes.update(dispute_id, params={"evidence": {f: "a" * 20_000 for f in fields[:4]}, "submit": False})
    client.v1.disputes.update(dispute_id, params={"evidence": {f: "b" * 17_500 for f in fields[4:7]}, "submit": False})
    error = _refused(
        lambda: client.v1.disputes.update(dispute_id, params={"evidence": {fields[7]: "c" * 20_000}, "submit": False})
    )
    assert error.param == "evidence" and "150,000" in error.user_message
    events = client.v1.events.list(params={"type": "charge.dispute.updated"}).data
    assert len(events) == 2, "the refused update changed nothing"


def test_evidence_files_must_exist(client, emulator):
    dispute_id = _dispute(client, emulator)
    error = _refused(lambda: client.v1.disputes.update(dispute_id, params={"evidence": {"receipt": "file_1Nope"}}))
    assert (error.code, error.param) == ("resource_missing", "evidence[receipt]")
    assert "file_1Nope" in error.user_message
    dispute = client.v1.disputes.retrieve(dispute_id)
    assert (dispute.status, dispute.evidence.receipt) == ("needs_response", None)
    cleared = client.v1.disputes.update(dispute_id, params={"evidence": {"receipt": ""}, "submit": False})
    assert cleared.evidence.receipt is None


@pytest.mark.parametrize("version", ["2023-08-16", "2026-10-28.endive", "2024-06-20"])
def test_dated_api_versions_are_accepted(emulator, version):
    client = emulator.stripe_client(stripe_version=version)
    assert client.v1.customers.create(params={"email": "v@x.test"}).object == "customer"


@pytest.mark.parametrize("version", ["latest", "2023-02-30", "2023-8-16", "2023-08-16.Basil", "v1"])
def test_malformed_api_versions_are_refused(emulator, version):
    client = emulator.stripe_client(stripe_version=version)
    error = _refused(lambda: client.v1.customers.list())
    assert "Invalid Stripe API version" in error.user_message and version in error.user_message


def test_unknown_webhook_event_types_are_refused(client, receiver):
    error = _refused(
        lambda: client.v1.webhook_endpoints.create(
            params={"url": receiver.url, "enabled_events": ["charge.refunded", "charge.refundd"]}
        )
    )
    assert error.param == "enabled_events" and "charge.refundd" in error.user_message
    endpoint = client.v1.webhook_endpoints.create(
        params={
            "url": receiver.url,
            "enabled_events": ["charge.refunded", "refund.failed", "radar.early_fraud_warning.created"],
        }
    )
    error = _refused(
        lambda: client.v1.webhook_endpoints.update(endpoint.id, params={"enabled_events": ["nope.created"]})
    )
    assert error.param == "enabled_events"
    assert client.v1.webhook_endpoints.retrieve(endpoint.id).enabled_events[0] == "charge.refunded"


def test_every_event_type_the_emulator_sends_can_be_subscribed_to(client, emulator, receiver):
    pay(client, "pm_card_createDispute")
    pay(client, "pm_card_createIssuerFraudRecord")
    failing = pay(client, "pm_card_refundFail")
    client.v1.refunds.create(params={"payment_intent": failing.id})
    wait_for(lambda: client.v1.events.list(params={"type": "refund.failed"}).data)
    wait_for(lambda: client.v1.events.list(params={"type": "radar.early_fraud_warning.created"}).data)
    sent = sorted({e.type for e in client.v1.events.list(params={"limit": 100}).auto_paging_iter()})
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": sent})
    assert endpoint.enabled_events == sent


def test_a_canceled_refund_records_why_and_gives_the_money_back(client, emulator):
    emulator.control.configure(refund_mode="requires_action")
    intent = pay(client, amount=2500)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    canceled = client.v1.refunds.cancel(refund.id)
    assert (canceled.status, canceled.failure_reason) == ("canceled", "merchant_request")
    reversal = client.v1.balance_transactions.retrieve(canceled.failure_balance_transaction)
    assert (reversal.amount, reversal.type, reversal.source) == (2500, "refund_failure", refund.id)
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 0
