"""Every object the emulator returns has exactly the field set of Stripe's official fixture for its type.

Fields Stripe adds only in some states are allowed only in those states:
- refund.pending_reason              only while status == "pending"
- refund.next_action                 only while status == "requires_action"
- refund.failure_reason              only when status is "failed" or "canceled"
- refund.failure_balance_transaction only when status is "failed" or "canceled"
- webhook_endpoint.secret            only in the answer to the creation request
- event.data.previous_attributes     only on events describing a change to an existing object
- radar.early_fraud_warning.payment_intent always (in the spec, absent from the fixture's example)
Fields of the fixture that Stripe sends only when expanded (charge.refunds, since API version 2022-11-15) must be
absent unless the request expanded them.
Nested objects built from the fixture (listed in NESTED) must match the fixture's nested field sets too;
a nested value may be null where the fixture shows an example object (Stripe's nullable fields).
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import stripe

from stripe_emulator.fixtures import fixture_resources

from .helpers import pay, wait_for

SOURCE = Path(__file__).resolve().parents[2].parent / "shared" / "stripe" / "fixtures3.json"
VENDORED_TYPES = {
    "balance_transaction",
    "charge",
    "customer",
    "deleted_webhook_endpoint",
    "dispute",
    "event",
    "payment_intent",
    "payment_method",
    "radar.early_fraud_warning",
    "refund",
    "webhook_endpoint",
}
STATE_FIELDS = {
    "refund": {
        "pending_reason": lambda o: o["status"] == "pending",
        "next_action": lambda o: o["status"] == "requires_action",
        "failure_reason": lambda o: o["status"] in ("failed", "canceled"),
        "failure_balance_transaction": lambda o: o["status"] in ("failed", "canceled"),
    },
    "radar.early_fraud_warning": {"payment_intent": lambda o: True},
}
EXPANDED_ONLY = {"charge": frozenset({"refunds"})}
NESTED = {
    "charge": [
        "billing_details",
        "billing_details.address",
        "outcome",
        "payment_method_details",
        "payment_method_details.card",
        "payment_method_details.card.checks",
        "refunds",
    ],
    "payment_method": [
        "billing_details",
        "billing_details.address",
        "card",
        "card.checks",
        "card.networks",
        "card.three_d_secure_usage",
    ],
    "dispute": ["evidence", "evidence_details", "payment_method_details", "payment_method_details.card"],
    "refund": ["destination_details", "destination_details.card"],
    "customer": ["invoice_settings"],
    "payment_intent": [
        "amount_details",
        "automatic_payment_methods",
        "payment_method_configuration_details",
        "managed_payments",
    ],
    "event": ["data", "request"],
}


def _at(node: Any, path: str) -> Any:
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def assert_shape(
    kind: str,
    obj: dict[str, Any],
    *,
    extra_allowed: frozenset[str] = frozenset(),
    expanded: frozenset[str] = frozenset(),
) -> None:
    """Top-level and nested field sets equal the fixture's (plus fields valid in the object's state).

    `expanded`: the fields the request expanded (only those of EXPANDED_ONLY may then appear).
    """
    fixture = fixture_resources()[kind]
    allowed = {name for name, valid in STATE_FIELDS.get(kind, {}).items() if valid(obj)} | extra_allowed
    state_only = set(STATE_FIELDS.get(kind, {})) - allowed
    assert not (set(obj) & state_only), f"{kind} {obj.get('id')} has {set(obj) & state_only} outside their state"
    unexpanded = EXPANDED_ONLY.get(kind, frozenset()) - expanded
    assert not (set(obj) & unexpanded), f"{kind} {obj.get('id')} has {set(obj) & unexpanded} without expand[]"
    required = set(fixture) - unexpanded
    assert required <= set(obj), f"{kind} {obj.get('id')} lacks {required - set(obj)}"
    assert set(obj) - set(fixture) <= allowed, f"{kind} {obj.get('id')} has extra {set(obj) - set(fixture) - allowed}"
    for path in NESTED.get(kind, []):
        expected, actual = _at(fixture, path), _at(obj, path)
        if actual is None or not isinstance(expected, dict):
            continue
        nested_allowed = {"previous_attributes"} if path == "data" else set()
        assert set(actual) - nested_allowed == set(expected), f"{kind}.{path}: {set(actual) ^ set(expected)}"
    if kind == "event":
        inner = obj["data"]["object"]
        assert_shape(inner["object"], inner)
    if kind == "charge" and "refunds" in obj:
        for refund in obj["refunds"]["data"]:
            assert_shape("refund", refund)
    if kind == "dispute":
        for transaction in obj["balance_transactions"]:
            assert_shape("balance_transaction", transaction)


def _objects_in_every_state(client, emulator) -> dict[str, list[dict[str, Any]]]:
    """Drive payments, refunds and disputes through their states; return every object, by type."""
    customer = client.v1.customers.create(params={"email": "fields@x.test"})
    paid = pay(client, customer=customer.id)
    with pytest.raises(stripe.CardError):
        pay(client, "pm_card_chargeDeclined")
    unconfirmed = client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    client.v1.payment_intents.cancel(unconfirmed.id)
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    failing = pay(client, "pm_card_refundFail")
    client.v1.refunds.create(params={"payment_intent": failing.id})
    emulator.control.configure(refund_mode="pending", refund_pending_delay=30)
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    emulator.control.configure(refund_mode="requires_action")
    client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    canceled = client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
    client.v1.refunds.cancel(canceled.id)
    won, lost = pay(client, "pm_card_createDispute"), pay(client, "pm_card_createDispute")
    open_ = pay(client, "pm_card_createDisputeInquiry")
    warned = pay(client, "pm_card_createIssuerFraudRecord")
    disputes = {i.id: wait_for(partial(_disputes_of, client, i.id))[0] for i in (won, lost, open_)}
    client.v1.disputes.update(disputes[won.id].id, params={"evidence": {"uncategorized_text": "winning_evidence"}})
    client.v1.disputes.close(disputes[lost.id].id)
    wait_for(lambda: client.v1.disputes.retrieve(disputes[won.id].id).status == "won")
    wait_for(lambda: client.v1.refunds.list(params={"payment_intent": failing.id}).data[0].status == "failed")
    warnings = wait_for(lambda: client.v1.radar.early_fraud_warnings.list(params={"payment_intent": warned.id}).data)

    def everything(service, **params):
        return [o.to_dict() for o in service.list(params={"limit": 100, **params}).auto_paging_iter()]

    charges = everything(client.v1.charges)
    refunds = everything(client.v1.refunds)
    transaction_ids = {c["balance_transaction"] for c in charges if c["balance_transaction"]}
    transaction_ids |= {r["balance_transaction"] for r in refunds}
    transaction_ids |= {r["failure_balance_transaction"] for r in refunds if r["status"] in ("failed", "canceled")}
    return {
        "customer": [client.v1.customers.retrieve(customer.id).to_dict()],
        "payment_method": [
            client.v1.payment_methods.retrieve(paid.payment_method).to_dict(),
            client.v1.payment_methods.retrieve("pm_card_mastercard").to_dict(),
        ],
        "payment_intent": everything(client.v1.payment_intents),
        "charge": charges,
        "refund": refunds,
        "dispute": everything(client.v1.disputes),
        "balance_transaction": [client.v1.balance_transactions.retrieve(t).to_dict() for t in sorted(transaction_ids)],
        "event": everything(client.v1.events),
        "radar.early_fraud_warning": [w.to_dict() for w in warnings],
    }


def test_every_object_type_matches_its_fixture(client, emulator):
    objects = _objects_in_every_state(client, emulator)
    statuses = {kind: {o.get("status") for o in items} for kind, items in objects.items()}
    assert statuses["refund"] == {"succeeded", "pending", "requires_action", "canceled", "failed"}
    assert statuses["payment_intent"] == {"succeeded", "requires_payment_method", "canceled"}
    assert statuses["charge"] == {"succeeded", "failed"}
    assert statuses["dispute"] == {"won", "lost", "warning_needs_response"}
    for kind, items in objects.items():
        assert items, kind
        for obj in items:
            assert obj["object"] == kind
            assert_shape(kind, obj)
    paid = objects["refund"][-1]["charge"]
    with_refunds = client.v1.charges.retrieve(paid, params={"expand": ["refunds"]}).to_dict()
    assert with_refunds["refunds"]["data"]
    assert_shape("charge", with_refunds, expanded=frozenset({"refunds"}))
    text = json.dumps(objects)
    for example in ("obj_123", "Jenny Rosen", "ch_1PgafuB7WZ01zgkWXYmPNZs8", "sangeekp"):
        assert example not in text, f"fixture example value {example!r} leaked into an object"


def test_webhook_endpoint_shapes(client, receiver):
    created = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]}).to_dict()
    assert_shape("webhook_endpoint", created, extra_allowed=frozenset({"secret"}))
    assert_shape("webhook_endpoint", client.v1.webhook_endpoints.retrieve(created["id"]).to_dict())
    deleted = client.v1.webhook_endpoints.delete(created["id"]).to_dict()
    assert set(deleted) == set(fixture_resources()["deleted_webhook_endpoint"])


def test_vendored_fixtures_equal_stripes_source():
    assert set(fixture_resources()) == VENDORED_TYPES
    if not SOURCE.exists():
        pytest.skip(f"{SOURCE} is absent (clean clone); the vendored copy is used as is")
    source = json.loads(SOURCE.read_text())["resources"]
    for kind in VENDORED_TYPES:
        assert fixture_resources()[kind] == source[kind], kind


def _disputes_of(client: stripe.StripeClient, payment_intent_id: str) -> list[Any]:
    """The disputes Stripe lists for a payment (empty until one opens)."""
    return list(client.v1.disputes.list(params={"payment_intent": payment_intent_id}).data)
