"""Approval rules through the API: separation of duties, roles, the finance threshold, rejection, wrong states."""

from __future__ import annotations

import uuid

import pytest
from refund_support import ADMIN, APPROVER, APPROVER_2, FINANCE, SUPPORT, RefundStack, bearer, entries

from domain.roles import Role
from services.staff import add_staff


async def test_requester_cannot_approve_their_own_refund(stack: RefundStack) -> None:
    order = await stack.paid_order()
    # An admin holds every role, so they may request; separation of duties still stops them approving.
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval", headers=ADMIN)
    assert refund["requested_by"] == "dev-admin-1"

    response = await stack.act(refund["refund_id"], "approve", ADMIN)
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == "You requested this refund, so someone else must approve or reject it."
    response = await stack.act(refund["refund_id"], "reject", ADMIN)
    assert response.status_code == 409, response.text

    unchanged = await stack.refund(refund["refund_id"])
    assert unchanged["status"] == "awaiting_approval" and unchanged["approvals"] == []
    assert [e["kind"] for e in unchanged["timeline"]] == ["requested", "assessed"]
    history = await stack.handle(refund["refund_id"]).fetch_history()
    # Refused in the validator: nothing of the attempt reaches the workflow's history.
    assert not [e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")]


async def test_support_cannot_approve(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    response = await stack.act(refund["refund_id"], "approve", SUPPORT)
    assert response.status_code == 403, response.text
    assert "approver" in response.json()["detail"] and "finance" in response.json()["detail"]
    assert (await stack.refund(refund["refund_id"]))["status"] == "awaiting_approval"


@pytest.mark.history
async def test_large_refund_needs_a_second_approval_by_finance(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=25000, plan_months=12)
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    refund_id = refund["refund_id"]
    assert refund["approvals_required"] == 2
    assert any("second approval, by finance" in line for line in refund["policy_decision"]["evidence"])

    first = await stack.act(refund_id, "approve", APPROVER, note="plan mix-up confirmed")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "awaiting_approval"
    assert [a["actor_name"] for a in first.json()["approvals"]] == ["dev-approver-1"] and first.json()[
        "approvals_required"
    ] == 2
    recorded = await stack.wait_for_status(refund_id, "awaiting_approval")
    [step] = entries(recorded, "approval_recorded")
    assert step["actor_name"] == "dev-approver-1" and step["detail"] == {"approvals": 1}

    second = await stack.act(refund_id, "approve", APPROVER_2)
    assert second.status_code == 409, second.text
    assert "finance" in second.json()["detail"]
    again = await stack.act(refund_id, "approve", APPROVER)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []

    final = await stack.act(refund_id, "approve", FINANCE, note="finance ok")
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "approved"
    settling = await stack.wait_for_status(refund_id, "settling")
    assert [(a["actor_name"], a["acting_as"]) for a in settling["approvals"]] == [
        ("dev-approver-1", "approver"),
        ("dev-finance-1", "finance"),
    ]
    [approved] = entries(settling, "approved")
    assert approved["actor_name"] == "dev-finance-1"
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [25000]


@pytest.mark.history
async def test_reject_tells_the_customer(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    response = await stack.act(refund["refund_id"], "reject", APPROVER, note="customer used the service for a week")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    rejected = await stack.wait_for_status(refund["refund_id"], "rejected")
    [step] = entries(rejected, "rejected")
    assert step["actor_name"] == "dev-approver-1" and step["note"] == "customer used the service for a week"
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_rejected"]
    [email] = [m for m in await stack.outbox(refund["refund_id"]) if m.template == "refund_rejected"]
    assert email.to_email == f"{order['customer_id']}@example.com"
    assert "customer used the service" not in str(email.context)  # internal notes never reach the customer
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


async def test_acting_in_the_wrong_state_is_refused(stack: RefundStack) -> None:
    order = await stack.paid_order(activated=True)
    investigating = await stack.open_refund(order["order_id"], "technical_issue", "investigating")
    response = await stack.act(investigating["refund_id"], "approve", APPROVER)
    assert response.status_code == 409, response.text
    assert "investigating" in response.json()["detail"]
    response = await stack.act(investigating["refund_id"], "resolve-failure", FINANCE, action="retry")
    assert response.status_code == 409 and "not failed" in response.json()["detail"]

    cancelled = await stack.act(investigating["refund_id"], "cancel", SUPPORT)
    assert cancelled.status_code == 200, cancelled.text
    await stack.wait_for_status(investigating["refund_id"], "cancelled")
    await stack.handle(investigating["refund_id"]).result()
    # The workflow has ended: the API answers for it.
    response = await stack.act(investigating["refund_id"], "approve", APPROVER)
    assert response.status_code == 409, response.text
    assert "cancelled" in response.json()["detail"]


async def test_unknown_refund_is_404(stack: RefundStack) -> None:
    body: dict[str, str]
    for action, body in (("approve", {}), ("reject", {}), ("cancel", {})):
        response = await stack.act("rf_does_not_exist", action, APPROVER, **body)
        assert response.status_code == 404, response.text
        assert "rf_does_not_exist" in response.json()["detail"]
    response = await stack.api.get("/refunds/rf_does_not_exist", headers=SUPPORT)
    assert response.status_code == 404 and "rf_does_not_exist" in response.json()["detail"]


async def test_one_person_cannot_approve_their_own_request_from_another_staff_record(stack: RefundStack) -> None:
    # Bob holds a support record and an approver record: two staff ids, one person (one email).
    email = f"bob-{uuid.uuid4().hex[:8]}@example.com"
    _, bob_support = add_staff(stack.database, f"bob-{uuid.uuid4().hex[:8]}", [Role.SUPPORT], email, "test")
    _, bob_approver = add_staff(stack.database, f"bob-a-{uuid.uuid4().hex[:8]}", [Role.APPROVER], email, "test")
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval", headers=bearer(bob_support))

    response = await stack.act(refund["refund_id"], "approve", bearer(bob_approver))

    assert response.status_code == 409, response.text
    assert response.json()["detail"] == "You requested this refund, so someone else must approve or reject it."
    assert (await stack.refund(refund["refund_id"]))["status"] == "awaiting_approval"
    assert (await stack.act(refund["refund_id"], "approve", APPROVER)).status_code == 200
