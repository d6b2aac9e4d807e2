"""Decisions rest on facts the service recorded (issue 11, items 1 and 6): a backdated contact time never pays alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from refund_support import ADMIN, APPROVER, SUPPORT, RefundStack, entries
from test_refunds_cli import ok, refunds

from store.dispute_tables import CustomerContact

READ_MODEL_BACKENDS = ("sqlite", "postgresql")
UNRECORDED = "earlier than the first contact the service recorded"


async def duplicate_paid_20_days_ago(stack: RefundStack) -> dict:
    """The issue's order: paid twice 20 days ago (the second payment one minute after the first)."""
    paid_at = datetime.now(UTC) - timedelta(days=20)
    first = await stack.paid_order(amount_minor=1500, paid_at=paid_at)
    return await stack.paid_order(
        amount_minor=1500, customer_id=first["customer_id"], paid_at=paid_at + timedelta(minutes=1)
    )


@pytest.mark.parametrize("requester", [SUPPORT, ADMIN], ids=["support", "admin"])
async def test_a_backdated_contact_time_after_a_rejection_waits_for_another_person(
    stack: RefundStack, requester: dict
) -> None:
    order = await duplicate_paid_20_days_ago(stack)
    first = await stack.request_refund(order["order_id"], "duplicate_payment", requester)
    assert first.status_code == 201, first.text
    rejected = await stack.wait_for_status(first.json()["refund_id"], "rejected")

    # The same agent files again, saying the customer called 2 h after paying.
    backdated = datetime.fromisoformat(order["paid_at"]) + timedelta(hours=2)
    again = await stack.request_refund(
        order["order_id"], "duplicate_payment", requester, customer_contacted_at=backdated.isoformat()
    )
    assert again.status_code == 201, again.text
    decision = again.json()["policy_decision"]
    assert decision["path"] == "approval" and decision["verified"] is False
    assert UNRECORDED in decision["needs_person"]
    refund_id = again.json()["refund_id"]
    refund = await stack.wait_for_status(refund_id, "awaiting_approval")

    # The approver sees why a person must decide, and that the order's earlier request was rejected.
    assert refund["earlier_rejected_refund_ids"] == [rejected["refund_id"]]
    assert refund["policy_decision"]["needs_person"] == decision["needs_person"]
    assert any(rejected["refund_id"] in line for line in refund["policy_decision"]["evidence"])
    [assessed] = entries(refund, "assessed")
    assert assessed["detail"]["path"] == "approval" and assessed["detail"]["verified"] is False
    assert assessed["detail"]["needs_person"] == decision["needs_person"]
    assert assessed["detail"]["earlier_rejected_refund_ids"] == rejected["refund_id"]
    assert refund["approvals"] == []
    shown = ok(await refunds(stack, "show", refund_id, token="dev-approver-1"))
    assert "Needs a person" in shown and "Earlier rejected" in shown and rejected["refund_id"] in shown

    # Not by the requester: support may not decide at all, an admin who requested it is refused by separation of duties.
    own = await stack.act(refund_id, "approve", requester, note="the customer called me back then")
    assert own.status_code == (403 if requester is SUPPORT else 409), own.text
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []
    assert (await stack.refund(refund_id))["status"] == "awaiting_approval"

    approved = await stack.act(refund_id, "approve", APPROVER, note="call log checked")
    assert approved.status_code == 200, approved.text
    settling = await stack.wait_for_status(refund_id, "settling")
    assert [a["actor_name"] for a in settling["approvals"]] == ["dev-approver-1"]
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [1500]
    assert (await stack.refund(rejected["refund_id"]))["earlier_rejected_refund_ids"] == []


async def recorded_contact(stack: RefundStack, customer_id: str, recorded_at: datetime) -> None:
    """A contact our clock recorded at `recorded_at` (written directly: the API records only at its own now)."""
    contact = CustomerContact(
        customer_id=customer_id,
        channel="phone",
        contacted_at=recorded_at,
        recorded_by="dev-support-1",
        recorded_at=recorded_at,
    )
    await stack.database.atransact(lambda session: session.add(contact))


async def test_a_contact_the_service_recorded_backs_the_time_given(stack: RefundStack) -> None:
    order = await duplicate_paid_20_days_ago(stack)
    paid_at = datetime.fromisoformat(order["paid_at"])
    called = (paid_at + timedelta(hours=2)).isoformat()
    # Recorded before this order was paid: about something else, so it backs nothing here.
    await recorded_contact(stack, order["customer_id"], paid_at - timedelta(hours=1))
    unbacked = await stack.request_refund(order["order_id"], "duplicate_payment", customer_contacted_at=called)
    assert unbacked.status_code == 201, unbacked.text
    assert unbacked.json()["policy_decision"]["path"] == "approval"
    assert UNRECORDED in unbacked.json()["policy_decision"]["needs_person"]
    await stack.wait_for_status(unbacked.json()["refund_id"], "awaiting_approval")
    cancelled = await stack.act(unbacked.json()["refund_id"], "cancel", SUPPORT, note="filed before the call log")
    assert cancelled.status_code == 200, cancelled.text

    # Our clock recorded the call 2 h after the payment: the time given rests on it, the system approves alone.
    await recorded_contact(stack, order["customer_id"], paid_at + timedelta(hours=2))
    backed = await stack.request_refund(order["order_id"], "duplicate_payment", customer_contacted_at=called)
    assert backed.status_code == 201, backed.text
    decision = backed.json()["policy_decision"]
    assert decision["path"] == "auto_approve" and decision["verified"] is True and decision["needs_person"] is None
    settling = await stack.wait_for_status(backed.json()["refund_id"], "settling")
    assert [a["actor_id"] for a in settling["approvals"]] == ["system"]
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [1500]


async def test_a_contact_time_no_true_contact_can_have_is_refused_and_nothing_recorded(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1500)
    paid_at = datetime.fromisoformat(order["paid_at"])
    cases = {
        "0001-01-01T00:00:00+14:00": "contact_too_early",
        "1999-12-31T23:59:59Z": "contact_too_early",
        "9999-12-31T23:59:59-14:00": "contact_in_future",
        (datetime.now(UTC) + timedelta(days=1)).isoformat(): "contact_in_future",
        (paid_at - timedelta(hours=1)).isoformat(): "contact_before_payment",
    }
    for contacted_at, code in cases.items():
        response = await stack.request_refund(order["order_id"], "wrong_plan", customer_contacted_at=contacted_at)
        assert response.status_code == 422, (contacted_at, response.text)
        assert response.json()["code"] == code, contacted_at
        assert response.json()["detail"].startswith("customer_contacted_at ") or code == "contact_before_payment"
    listed = await stack.api.get("/refunds", params={"order_id": order["order_id"]}, headers=SUPPORT)
    assert listed.json()["total"] == 0
