"""Signed webhooks that do not read as what they claim never answer 500 (issue 11, item 8), which Stripe would retry.

A signed payload that is not an event at all (not JSON, no id, type, created or data.object, wrong types) is a logged
422 with a sentence. An event whose object does not fit its type (a refund whose amount is "x", a dispute without its
charge) is logged, counted and recorded as `unreadable` and answered 200: sending it again would not make it readable.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from refund_support import RefundStack
from sqlmodel import select
from test_webhooks import signed

from store.refund_tables import StripeEventRecord

NOW = int(time.time())
REFUND: dict[str, Any] = {
    "id": "re_test_malformed",
    "object": "refund",
    "amount": 500,
    "currency": "eur",
    "status": "failed",
    "metadata": {"refund_id": "rf_not_a_real_one"},
}
DISPUTE: dict[str, Any] = {
    "id": "dp_test_malformed",
    "object": "dispute",
    "charge": "ch_test_malformed",
    "payment_intent": "pi_test_malformed",
    "amount": 500,
    "currency": "eur",
    "reason": "fraudulent",
    "status": "needs_response",
    "evidence_details": {"due_by": NOW + 86_400},
    "created": NOW,
}


def event(event_type: str, obj: Any, **envelope: Any) -> dict[str, Any]:
    """An event envelope with a fresh id; `envelope` overrides its fields."""
    return {
        "id": f"evt_test_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": event_type,
        "created": NOW,
        "data": {"object": obj},
    } | envelope


def without(obj: dict[str, Any], field: str) -> dict[str, Any]:
    """The object without one field."""
    return {key: value for key, value in obj.items() if key != field}


NOT_EVENTS: dict[str, str] = {
    "not json": "this is not json",
    "truncated json": '{"id": "evt_1", "type": ',
    "a list": json.dumps([event("refund.failed", REFUND)]),
    "an empty object": "{}",
    "no id": json.dumps(without(event("refund.failed", REFUND), "id")),
    "no type": json.dumps(without(event("refund.failed", REFUND), "type")),
    "no created": json.dumps(without(event("refund.failed", REFUND), "created")),
    "no data": json.dumps(without(event("refund.failed", REFUND), "data")),
    "no data.object": json.dumps(event("refund.failed", REFUND) | {"data": {}}),
    "data.object a list": json.dumps(event("refund.failed", [REFUND])),
    "id a number": json.dumps(event("refund.failed", REFUND, id=12345)),
    "created a string": json.dumps(event("refund.failed", REFUND, created="yesterday")),
    "created beyond year 9999": json.dumps(event("refund.failed", REFUND, created=10**20)),
    "type 5000 characters": json.dumps(event("x" * 5000, REFUND)),
}
UNREADABLE_OBJECTS: dict[str, dict[str, Any]] = {
    "refund amount 'x'": event("refund.failed", REFUND | {"amount": "x"}),
    "refund without id": event("refund.updated", without(REFUND, "id")),
    "refund id a number": event("refund.updated", REFUND | {"id": 7}),
    "refund metadata a list": event("refund.failed", REFUND | {"metadata": ["rf_1"]}),
    "refund an empty object": event("refund.failed", {}),
    "dispute without charge": event("charge.dispute.created", without(DISPUTE, "charge")),
    "dispute status unknown": event("charge.dispute.updated", DISPUTE | {"status": "bogus"}),
    "dispute amount negative": event("charge.dispute.created", DISPUTE | {"amount": -5}),
    "dispute created a string": event("charge.dispute.closed", DISPUTE | {"created": "yesterday"}),
    "dispute due_by beyond year 9999": event(
        "charge.dispute.created", DISPUTE | {"evidence_details": {"due_by": 10**20}}
    ),
    "dispute evidence_details a string": event("charge.dispute.created", DISPUTE | {"evidence_details": "soon"}),
}


async def post_signed(stack: RefundStack, payload: str) -> Any:
    """POST the payload signed with the endpoint's secret."""
    assert stack.settings.stripe_webhook_secret is not None
    secret = stack.settings.stripe_webhook_secret.get_secret_value()
    return await stack.api.post("/webhooks/stripe", content=payload, headers=signed(payload, secret))


async def test_a_signed_payload_that_is_not_an_event_is_a_logged_422(
    stack: RefundStack, caplog: pytest.LogCaptureFixture
) -> None:
    for case, payload in NOT_EVENTS.items():
        caplog.clear()
        response = await post_signed(stack, payload)
        assert response.status_code == 422, (case, response.text)
        body = response.json()
        assert body["code"] == "unreadable_event", case
        assert body["detail"].startswith(
            "The payload is signed with our secret but is not a Stripe event we can read ("
        ), (case, body)
        assert body["detail"].endswith("; it was not recorded."), (case, body)
        assert any(
            record.getMessage() == "signed stripe webhook is not an event we can read" for record in caplog.records
        ), case
    records = await stack.database.atransact(lambda session: list(session.exec(select(StripeEventRecord))))
    assert records == []


async def test_an_event_whose_object_does_not_fit_is_recorded_unreadable_and_acknowledged(
    stack: RefundStack, caplog: pytest.LogCaptureFixture
) -> None:
    for case, envelope in UNREADABLE_OBJECTS.items():
        caplog.clear()
        payload = json.dumps(envelope)
        response = await post_signed(stack, payload)
        assert response.status_code == 200, (case, response.text)
        assert response.json() == {"received": True, "outcome": "unreadable"}, case
        warnings = [r for r in caplog.records if r.getMessage().startswith("stripe event object unreadable")]
        assert len(warnings) == 1, case
        assert warnings[0].__dict__["event_id"] == envelope["id"], case  # the log line names the event
        # Sent again (as Stripe would after a timeout): already handled.
        again = await post_signed(stack, payload)
        assert again.json() == {"received": True, "duplicate": True}, case

        def record(session, event_id: str = envelope["id"]) -> StripeEventRecord | None:
            return session.get(StripeEventRecord, event_id)

        stored = await stack.database.atransact(record)
        assert stored is not None and stored.outcome == "unreadable", case
        object_id = envelope["data"]["object"].get("id")
        assert stored.object_id == (object_id if isinstance(object_id, str) else None), case
    metrics = (await stack.api.get("/metrics")).text
    for event_type, count in {"refund.failed": 3, "refund.updated": 2, "charge.dispute.created": 4}.items():
        line = f'stripe_webhook_events_total{{event_type="{event_type}",outcome="unreadable"}} {float(count)}'
        assert line in metrics, line


async def test_an_event_we_do_not_route_may_carry_any_object(stack: RefundStack) -> None:
    for obj in ({}, {"id": 12345}, {"id": "ch_" + "x" * 300}, {"id": "ch_test_ok", "amount": "x"}):
        envelope = event("charge.succeeded", obj)
        response = await post_signed(stack, json.dumps(envelope))
        assert response.status_code == 200, response.text
        assert response.json() == {"received": True, "outcome": "ignored"}
        stored = await stack.database.atransact(lambda session, i=envelope["id"]: session.get(StripeEventRecord, i))
        assert stored is not None
        assert stored.object_id == ("ch_test_ok" if obj.get("id") == "ch_test_ok" else None)
