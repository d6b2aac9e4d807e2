"""Each refund reason's path under the policy, through POST /refunds and the staff actions that follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from refund_support import APPROVER, APPROVER_2, SUPPORT, RefundStack, entries

from domain.policy import POLICY_VERSION

# What the policy says for each reason it does not cover: the rule code and words from its line.
NOT_COVERED = {
    "connection_or_device": ("not_covered.connection_or_device", "Internet or device problems on your side"),
    "third_party_app": ("not_covered.third_party_app", "Third-party application changes"),
    "changed_mind": ("not_covered.personal_preference", "Personal preference (changed your mind"),
    "temporary_outage": ("not_covered.temporary_outage", "Temporary outages caused by maintenance"),
    "unused_time": ("no_partial_refund_unused_time", "No partial refund for unused time"),
}
ORDER_ERROR_CLAUSE = "you accidentally paid twice or selected the wrong plan and notified us immediately"


def assert_assessed(refund: dict, *, rule: str, status: str, clause_words: str) -> dict:
    """The system's assessment entry and the decision both cite the rule, its clause and the policy version."""
    decision = refund["policy_decision"]
    assert decision["rule"] == rule
    assert clause_words in decision["clause"]
    assert decision["policy_version"] == POLICY_VERSION
    [assessed] = entries(refund, "assessed")
    assert assessed["actor_id"] == "system" and assessed["status"] == status
    assert assessed["note"] == decision["clause"]
    assert assessed["detail"]["rule"] == rule and assessed["detail"]["policy_version"] == POLICY_VERSION
    return assessed


async def approve_and_pay(stack: RefundStack, refund_id: str, approver: dict = APPROVER) -> dict:
    """Approve as `approver`; the refund goes to Stripe and settles."""
    response = await stack.act(refund_id, "approve", approver, note="checked with the customer")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    return await stack.wait_for_status(refund_id, "settling")


@pytest.mark.history
async def test_not_activated_on_an_activated_order_is_rejected_citing_activation(stack: RefundStack) -> None:
    order = await stack.paid_order(activated=True)
    refund = await stack.open_refund(order["order_id"], "not_activated", "rejected")
    assessed = assert_assessed(
        refund, rule="activation_counts_as_use", status="rejected", clause_words='considered "used"'
    )
    assert assessed["detail"]["path"] == "reject"
    assert any("activation details" in line and "were sent" in line for line in refund["policy_decision"]["evidence"])
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_rejected"]
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


@pytest.mark.parametrize("reason", sorted(NOT_COVERED))
async def test_not_covered_reason_is_rejected_at_once_citing_its_line(stack: RefundStack, reason: str) -> None:
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], reason)
    assert response.status_code == 201, response.text
    rule, words = NOT_COVERED[reason]
    assert response.json()["policy_decision"]["path"] == "reject"
    # The answer says at once that it is rejected and why, though its workflow has yet to record it.
    assert response.json()["decided_status"] == "rejected"
    assert response.json()["policy_decision"]["summary"].startswith("Rejected: not covered by the policy.")
    refund = await stack.wait_for_status(response.json()["refund_id"], "rejected")
    assert refund["policy_decision"]["summary"] == response.json()["policy_decision"]["summary"]
    assert_assessed(refund, rule=rule, status="rejected", clause_words=words)
    assert [e["kind"] for e in refund["timeline"]] == ["requested", "assessed"]
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_rejected"]
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


async def test_not_covered_reason_with_legal_basis_goes_to_approval_recording_it(stack: RefundStack) -> None:
    order = await stack.paid_order()
    basis = "EU Directive 2011/83/EU, art. 9 (14-day withdrawal)"
    refund = await stack.open_refund(order["order_id"], "changed_mind", "awaiting_approval", legal_basis=basis)
    assert_assessed(refund, rule="local_consumer_rights", status="awaiting_approval", clause_words="local law")
    assert refund["legal_basis"] == basis and refund["policy_decision"]["legal_basis"] == basis
    evidence = " ".join(refund["policy_decision"]["evidence"])
    assert basis in evidence and "not_covered.personal_preference" in evidence
    settling = await approve_and_pay(stack, refund["refund_id"])
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [settling["amount_minor"]]


@pytest.mark.history
@pytest.mark.parametrize("amount_minor", [None, 700], ids=["full", "partial"])
async def test_wrong_plan_within_the_notice_window_is_approved_and_paid(
    stack: RefundStack, amount_minor: int | None
) -> None:
    order = await stack.paid_order(amount_minor=2999, plan_months=12)
    fields = {"amount_minor": amount_minor} if amount_minor else {}
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval", **fields)
    assert_assessed(
        refund, rule="duplicate_or_order_error", status="awaiting_approval", clause_words=ORDER_ERROR_CLAUSE
    )
    expected = amount_minor or 2999
    assert refund["amount_minor"] == expected

    settling = await approve_and_pay(stack, refund["refund_id"])
    [approval] = settling["approvals"]
    assert approval["actor_name"] == "dev-approver-1" and approval["acting_as"] == "approver"
    [approved] = entries(settling, "approved")
    assert approved["actor_name"] == "dev-approver-1" and approved["note"] == "checked with the customer"
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    assert stripe_refund.amount == expected and stripe_refund.id == settling["stripe_refund_id"]
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_approved", "refund_issued"]
    order_after = (await stack.api.get(f"/orders/{order['order_id']}", headers=SUPPORT)).json()
    # Only a full refund ends the customer's access.
    assert order_after["status"] == ("paid" if amount_minor else "refunded")


async def test_wrong_plan_outside_the_notice_window_is_rejected(stack: RefundStack) -> None:
    order = await stack.paid_order(paid_at=datetime.now(UTC) - timedelta(days=4))
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "rejected")
    assert_assessed(refund, rule="duplicate_or_order_error", status="rejected", clause_words=ORDER_ERROR_CLAUSE)
    assert any(line.endswith("after the 72 h notice window") for line in refund["policy_decision"]["evidence"])
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_rejected"]


async def test_verified_duplicate_payment_is_approved_by_the_system(stack: RefundStack) -> None:
    first = await stack.paid_order(amount_minor=1500)
    second = await stack.paid_order(amount_minor=1500, customer_id=first["customer_id"])
    response = await stack.request_refund(second["order_id"], "duplicate_payment")
    assert response.status_code == 201, response.text
    decision = response.json()["policy_decision"]
    assert decision["path"] == "auto_approve" and decision["verified"] is True
    assert any(first["payment_intent_id"] in line for line in decision["evidence"])

    refund = await stack.wait_for_status(response.json()["refund_id"], "settling")
    assessed = assert_assessed(
        refund, rule="duplicate_or_order_error", status="approved", clause_words=ORDER_ERROR_CLAUSE
    )
    assert assessed["detail"]["verified"] is True
    [approval] = refund["approvals"]
    assert approval["actor_id"] == "system" and approval["acting_as"] == "system"
    [stripe_refund] = await stack.stripe_refunds(second["payment_intent_id"])
    assert stripe_refund.amount == 1500 and stripe_refund.reason == "duplicate"
    assert await stack.stripe_refunds(first["payment_intent_id"]) == []


@pytest.mark.history
async def test_technical_issue_troubleshooting_in_progress_then_resolved_ends_without_refund(
    stack: RefundStack,
) -> None:
    order = await stack.paid_order(activated=True)
    refund = await stack.open_refund(order["order_id"], "technical_issue", "investigating")
    assert_assessed(
        refund, rule="technical_issue", status="investigating", clause_words="after reasonable troubleshooting"
    )
    refund_id = refund["refund_id"]

    step = await stack.act(refund_id, "troubleshooting", SUPPORT, note="reset the app cache", outcome="in_progress")
    assert step.status_code == 200, step.text
    assert step.json()["status"] == "investigating"
    step = await stack.act(refund_id, "troubleshooting", SUPPORT, note="new server URL works", outcome="resolved")
    assert step.status_code == 200, step.text
    resolved = await stack.wait_for_status(refund_id, "resolved")
    steps = entries(resolved, "troubleshooting")
    assert [(e["detail"]["outcome"], e["status"], e["actor_name"]) for e in steps] == [
        ("in_progress", "investigating", "dev-support-1"),
        ("resolved", "resolved", "dev-support-1"),
    ]
    assert steps[0]["note"] == "reset the app cache"
    assert resolved["stripe_refund_id"] is None
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


@pytest.mark.history
async def test_technical_issue_unresolved_goes_to_approval_and_is_paid(stack: RefundStack) -> None:
    order = await stack.paid_order(activated=True)
    refund = await stack.open_refund(order["order_id"], "technical_issue", "investigating")
    step = await stack.act(
        refund["refund_id"], "troubleshooting", SUPPORT, note="no stream on any device", outcome="unresolved"
    )
    assert step.status_code == 200, step.text
    assert step.json()["status"] == "awaiting_approval"
    await stack.wait_for_status(refund["refund_id"], "awaiting_approval")
    settling = await approve_and_pay(stack, refund["refund_id"])
    assert [e["detail"]["outcome"] for e in entries(settling, "troubleshooting")] == ["unresolved"]
    assert [r.amount for r in await stack.stripe_refunds(order["payment_intent_id"])] == [order["amount_minor"]]


@pytest.mark.history
async def test_unauthorized_transaction_not_confirmed_is_rejected(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "unauthorized_transaction", "investigating")
    assert_assessed(
        refund, rule="unauthorized_transaction", status="investigating", clause_words="(subject to investigation)"
    )
    response = await stack.act(
        refund["refund_id"], "investigation", APPROVER, finding="not_confirmed", note="3-D Secure passed"
    )
    assert response.status_code == 200, response.text
    rejected = await stack.wait_for_status(refund["refund_id"], "rejected")
    [finding] = entries(rejected, "investigation")
    assert finding["detail"]["finding"] == "not_confirmed" and finding["actor_name"] == "dev-approver-1"
    assert await stack.emails(refund["refund_id"]) == ["refund_received", "refund_rejected"]
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []


@pytest.mark.history
async def test_unauthorized_transaction_confirmed_goes_to_approval_and_is_approved(stack: RefundStack) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "unauthorized_transaction", "investigating")
    response = await stack.act(
        refund["refund_id"], "investigation", APPROVER, finding="confirmed", note="card reported stolen"
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "awaiting_approval"
    await stack.wait_for_status(refund["refund_id"], "awaiting_approval")
    settling = await approve_and_pay(stack, refund["refund_id"], APPROVER_2)
    [finding] = entries(settling, "investigation")
    assert finding["detail"]["finding"] == "confirmed" and finding["status"] == "awaiting_approval"
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    assert stripe_refund.reason == "fraudulent"
