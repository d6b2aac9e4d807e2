"""Chargebacks end to end: prior contact, suspension and restriction, refunds stopped, evidence, outcomes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from refund_support import ADMIN, FINANCE, SHOP, SUPPORT, RefundStack

from domain.dispute_messages import DisputeEvent
from services.disputes import deliver_dispute_event, dispute_snapshot
from workflows.dispute import DisputeWorkflow

# The read model on both backends: the same flows on SQLite and PostgreSQL (see conftest).
READ_MODEL_BACKENDS = ("sqlite", "postgresql")


async def _wait_dispute(stack: RefundStack, dispute_id: str, predicate, timeout: float = 20.0) -> dict:
    """Poll GET /disputes/{id} until `predicate` holds."""
    deadline = time.monotonic() + timeout
    while True:
        dispute = (await stack.api.get(f"/disputes/{dispute_id}", headers=FINANCE)).json()
        if predicate(dispute):
            return dispute
        assert time.monotonic() < deadline, dispute
        await asyncio.sleep(0.1)


@pytest.mark.history
async def test_no_prior_contact_suspends_and_restricts(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    assert dispute["prior_contact"] is False
    assert "without prior contact" in dispute["prior_contact_clause"]
    assert dispute["order_ids"] == [order["order_id"]] and dispute["suspended"] is True
    assert dispute["due_by"] is not None

    order_now = (await disputes.api.get(f"/orders/{order['order_id']}", headers=SUPPORT)).json()
    assert order_now["status"] == "suspended"
    customer = (await disputes.api.get(f"/customers/{order['customer_id']}", headers=SUPPORT)).json()
    assert customer["restricted"] is True
    new_order = await disputes.api.post(
        "/orders",
        json={
            **{
                k: order[k]
                for k in (
                    "customer_id",
                    "customer_email",
                    "plan_months",
                    "amount_minor",
                    "currency",
                    "payment_intent_id",
                    "paid_at",
                )
            },
            "order_id": order["order_id"] + "-2",
        },
        headers=SHOP,
    )
    assert new_order.status_code == 409
    query = (
        f"CustomerId = '{order['customer_id']}' AND OrderId = '{order['order_id']}' "
        "AND DisputeStatus = 'needs_response'"
    )
    deadline = time.monotonic() + 10
    while not (found := [w.id async for w in disputes.client.list_workflows(query)]):
        assert time.monotonic() < deadline, "the dispute is not searchable by customer, order and status"
        await asyncio.sleep(0.2)
    assert found == [dispute["workflow_id"]]
    assert (
        "may not place new orders" in new_order.json()["detail"] and dispute["dispute_id"] in new_order.json()["detail"]
    )


async def test_prior_contact_does_not_suspend(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    contact = await disputes.api.post(
        f"/customers/{order['customer_id']}/contacts",
        json={"channel": "whatsapp", "note": "codes do not work"},
        headers=SUPPORT,
    )
    assert contact.status_code == 201, contact.text
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    assert dispute["prior_contact"] is True and dispute["suspended"] is False
    assert any("whatsapp" in line for line in dispute["prior_contact_evidence"])
    assert (await disputes.api.get(f"/orders/{order['order_id']}", headers=SUPPORT)).json()["status"] == "active"
    assert (await disputes.api.get(f"/customers/{order['customer_id']}", headers=SUPPORT)).json()["restricted"] is False


@pytest.mark.history
async def test_open_refund_is_cancelled_before_stripe(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    requested = await disputes.request_refund(order["order_id"], "wrong_plan")
    assert requested.status_code == 201, requested.text
    refund_id = requested.json()["refund_id"]
    await disputes.wait_for_status(refund_id, "awaiting_approval")
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    assert dispute["prior_contact"] is True, "the refund request is prior contact"
    assert refund_id in dispute["refund_ids"]
    refund = await disputes.wait_for_status(refund_id, "cancelled")
    assert refund["dispute_id"] == dispute["dispute_id"]
    assert refund["timeline"][-1]["kind"] == "cancelled_by_dispute"
    assert await disputes.stripe_refunds(order["payment_intent_id"]) == []


@pytest.mark.history
async def test_evidence_submitted_automatically_before_deadline(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    due_by = datetime.fromisoformat(dispute["due_by"])
    evidence_due_at = datetime.fromisoformat(dispute["evidence_due_at"])
    assert evidence_due_at == due_by - disputes.settings.dispute_evidence_lead_time
    handle = disputes.client.get_workflow_handle_for(DisputeWorkflow.run, dispute["workflow_id"])
    await disputes.env.fast_forward(handle, evidence_due_at - datetime.now(UTC) + timedelta(minutes=5))
    submitted = await _wait_dispute(disputes, dispute["dispute_id"], lambda d: d["evidence_submitted_at"] is not None)
    assert submitted["status"] == "under_review"
    assert datetime.fromisoformat(submitted["evidence_submitted_at"]) < due_by
    stripe_dispute = await asyncio.to_thread(disputes.stripe.v1.disputes.retrieve, dispute["dispute_id"])
    assert (
        stripe_dispute.evidence.access_activity_log and order["order_id"] in stripe_dispute.evidence.access_activity_log
    )
    assert stripe_dispute.evidence_details.submission_count == 1


@pytest.mark.history
async def test_won_reinstates_and_restriction_stays_until_lifted(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    response = await disputes.api.post(
        f"/disputes/{dispute['dispute_id']}/submit", json={"uncategorized_text": "winning_evidence"}, headers=FINANCE
    )
    assert response.status_code == 200, response.text
    # The answer says the evidence was accepted (Stripe gets it moments later), not just the status before it.
    assert response.json()["accepted_action"] == "submit_evidence"
    assert response.json()["message"].startswith("Your evidence was accepted and is being sent to Stripe now")
    assert response.json()["timeline"][-1]["kind"] == "evidence_requested"
    won = await _wait_dispute(disputes, dispute["dispute_id"], lambda d: d["outcome"] is not None)
    assert won["status"] == "won"
    assert (await disputes.api.get(f"/orders/{order['order_id']}", headers=SUPPORT)).json()["status"] == "active"
    customer = (await disputes.api.get(f"/customers/{order['customer_id']}", headers=SUPPORT)).json()
    assert customer["restricted"] is True
    lifted = await disputes.api.post(
        f"/customers/{order['customer_id']}/lift-restriction", json={"note": "dispute won"}, headers=ADMIN
    )
    assert lifted.status_code == 200 and lifted.json()["restricted"] is False
    # Both ends are on the customer's trail: the service restricting for this dispute, the admin lifting it.
    trail = [(e["kind"], e["actor_id"], e["note"], e["detail"]) for e in lifted.json()["events"]][-2:]
    assert trail == [
        ("restricted", "system", customer["restricted_reason"], {"dispute_id": dispute["dispute_id"]}),
        ("restriction_lifted", trail[1][1], "dispute won", {"restricted_reason": customer["restricted_reason"]}),
    ]
    assert lifted.json()["events"][-1]["actor_name"] == "dev-admin-1"
    assert lifted.json()["restricted_reason"] == customer["restricted_reason"]  # kept, not overwritten


@pytest.mark.history
async def test_lost_marks_orders_charged_back(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    response = await disputes.api.post(
        f"/disputes/{dispute['dispute_id']}/submit", json={"uncategorized_text": "losing_evidence"}, headers=FINANCE
    )
    assert response.status_code == 200, response.text
    lost = await _wait_dispute(disputes, dispute["dispute_id"], lambda d: d["outcome"] is not None)
    assert lost["status"] == "lost"
    assert (await disputes.api.get(f"/orders/{order['order_id']}", headers=SUPPORT)).json()["status"] == "charged_back"
    again = await disputes.api.post(f"/disputes/{dispute['dispute_id']}/accept", headers=FINANCE)
    assert again.status_code == 409


async def test_duplicate_created_events_start_one_workflow(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    stripe_dispute = await asyncio.to_thread(disputes.stripe.v1.disputes.retrieve, dispute["dispute_id"])
    snapshot = dispute_snapshot(stripe_dispute.to_dict())
    for event_id in ("evt_dup_a", "evt_dup_b"):
        outcome = await deliver_dispute_event(
            disputes.client,
            disputes.settings,
            DisputeEvent(event_id=event_id, event_type="charge.dispute.created", dispute=snapshot),
        )
        assert outcome == "signalled"
    runs = [w async for w in disputes.client.list_workflows(f"WorkflowId = '{dispute['workflow_id']}'")]
    assert len(runs) == 1


async def test_dispute_signal_in_the_first_task_is_never_undone(stack: RefundStack) -> None:
    # A chargeback signalled with the refund's start: the policy must not assess the refund back to life.
    from domain.refund_messages import DisputeOpened
    from domain.roles import Actor, Role
    from services.refunds import RefundCreate, prepare
    from workflows.contracts.refund import DISPUTE_OPENED_SIGNAL
    from workflows.refund import RefundWorkflow

    order = await stack.paid_order(amount_minor=1300)
    actor = Actor(actor_id="stf_race", name="race test", roles=(Role.SUPPORT,))
    body = RefundCreate(order_id=order["order_id"], reason="not_activated")
    prepared = await stack.database.atransact(lambda session: prepare(session, stack.settings, body, actor, None))
    handle = await stack.client.start_workflow(
        RefundWorkflow.run,
        prepared.workflow_input,
        id=prepared.row.workflow_id,
        task_queue=stack.settings.temporal_task_queue,
        start_signal=DISPUTE_OPENED_SIGNAL,
        start_signal_args=[DisputeOpened(dispute_id="dp_race", opened_at=datetime.now(UTC))],
    )
    outcome = await handle.result()
    assert outcome.status == "cancelled" and outcome.stripe_refund_id is None
    assert await stack.stripe_refunds(order["payment_intent_id"]) == []
