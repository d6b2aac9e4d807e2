"""Temporal unreachable from the API: webhooks answered 503 and resent, staff actions 503 (not 409), nothing lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from refund_support import APPROVER, FINANCE, RefundStack
from temporal_gate import TemporalGate
from temporalio.client import Client
from test_webhooks import completed_fetches, refund_event, refund_signals, signed, stored_events

from api.errors import install_error_handlers
from core.temporal import DATA_CONVERTER
from workflows.refund import RefundWorkflow

FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card a moment after they succeed
NOTHING_CHANGED = "The workflow service did not answer; nothing was changed. Try again in a moment."


@pytest.fixture
def settings_overrides() -> dict:
    """The API gives up on Temporal after 1 s (fast 503s); the status poll is too far off to move anything here."""
    return {"webhook_delivery_timeout": timedelta(seconds=1), "refund_status_poll_interval": timedelta(hours=1)}


@pytest.fixture
async def temporal_gate(temporal_env) -> AsyncIterator[TemporalGate]:
    """An open gate to the test Temporal server."""
    gate = TemporalGate(temporal_env.client.service_client.config.target_host)
    await gate.open()
    yield gate
    await gate.close()


@pytest.fixture
async def api_temporal_client(temporal_env, temporal_gate: TemporalGate) -> Client:
    """The API reaches Temporal only through the gate; the workers and the test go direct."""
    return await Client.connect(
        temporal_gate.address, namespace=temporal_env.client.namespace, data_converter=DATA_CONVERTER
    )


@pytest.fixture
async def patient_webhooks(stack: RefundStack) -> AsyncIterator[None]:
    """More delivery attempts than the session's 5, so retries outlast an outage of a few seconds."""
    control = stack.emulator.control
    before = (await asyncio.to_thread(control.settings))["webhook_max_attempts"]
    await asyncio.to_thread(control.configure, webhook_max_attempts=10)
    yield
    await asyncio.to_thread(control.configure, webhook_max_attempts=before)


def assert_try_again(response: httpx.Response) -> None:
    """A 503 a client (Stripe, an agent's screen) understands: JSON sentence and Retry-After."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"].endswith(".") and int(response.headers["retry-after"]) > 0


async def deliveries(stack: RefundStack, event_type: str, payment_intent_id: str) -> list[dict]:
    """The emulator's delivery attempts of `event_type` events on one payment (its refund or dispute), oldest first."""
    page = await asyncio.to_thread(stack.stripe.v1.events.list, {"type": event_type, "limit": 100})
    event_ids = {e.id for e in page.data if e.data.object.to_dict().get("payment_intent") == payment_intent_id}
    log = (await asyncio.to_thread(stack.emulator.control.webhook_deliveries))["attempts"]
    return [a for a in log if a["event"] in event_ids]


async def wait_for_deliveries(
    stack: RefundStack, event_type: str, payment_intent_id: str, check, timeout: float = 30.0
) -> list[dict]:
    """Poll the emulator until the payment's `event_type` delivery attempts satisfy `check`."""
    deadline = time.monotonic() + timeout
    while not check(attempts := await deliveries(stack, event_type, payment_intent_id)):
        assert time.monotonic() < deadline, f"{event_type} deliveries never matched: {attempts}"
        await asyncio.sleep(0.1)
    return attempts


def refused(attempts: list[dict]) -> bool:
    """At least one attempt was answered 503."""
    return any(a["status"] == 503 for a in attempts)


def delivered(attempts: list[dict]) -> bool:
    """The last attempt was acknowledged."""
    return bool(attempts) and attempts[-1]["status"] == 200


async def test_refund_failed_while_temporal_is_unreachable_is_redelivered_and_fails_the_refund(
    stack: RefundStack, temporal_gate: TemporalGate, patient_webhooks: None
) -> None:
    order = await stack.paid_order(card=FAILING_CARD)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    await temporal_gate.close()  # the workers go on: Stripe pays, then fails the refund a second later

    # Stripe's refund.failed is answered 503 and not remembered, so Stripe sends it again.
    refusals = await wait_for_deliveries(stack, "refund.failed", order["payment_intent_id"], refused)
    assert {x["status"] for x in refusals} == {503}
    assert await stored_events(stack, refusals[0]["event"]) == []
    assert (await stack.refund(refund_id))["status"] == "settling"
    # Answered to anyone who posts it: a JSON sentence and Retry-After.
    [stripe_refund] = await stack.stripe_refunds(order["payment_intent_id"])
    event_id, payload = refund_event(stripe_refund.to_dict())
    direct = await stack.api.post(
        "/webhooks/stripe",
        content=payload,
        headers=signed(payload, stack.settings.stripe_webhook_secret.get_secret_value()),
    )
    assert_try_again(direct)
    assert "not recorded" in direct.json()["detail"]
    assert await stored_events(stack, event_id) == []

    await temporal_gate.open()
    failed = await stack.wait_for_status(refund_id, "failed")
    assert failed["stripe_status"] == "failed" and failed["needs_attention"] is False
    attempts = await wait_for_deliveries(stack, "refund.failed", order["payment_intent_id"], delivered)
    assert attempts[0]["status"] == 503
    [record] = await stored_events(stack, attempts[0]["event"])
    assert record.outcome == "signalled"


async def test_refund_succeeded_while_temporal_is_unreachable_moves_on_by_webhook_not_by_poll(
    stack: RefundStack, temporal_gate: TemporalGate, patient_webhooks: None
) -> None:
    control = stack.emulator.control
    await asyncio.to_thread(control.configure, refund_mode="pending")
    try:
        order = await stack.paid_order()
        response = await stack.request_refund(order["order_id"], "not_activated")
        assert response.status_code == 201, response.text
        refund_id = response.json()["refund_id"]
        await temporal_gate.close()
        await stack.wait_for_status(refund_id, "refunding")
        # Stripe's pending refund succeeds a second later; its refund.updated meets the outage.
        await wait_for_deliveries(stack, "refund.updated", order["payment_intent_id"], refused)
    finally:
        await asyncio.to_thread(control.configure, refund_mode="succeeded")
    assert (await stack.refund(refund_id))["status"] == "refunding"

    await temporal_gate.open()
    settling = await stack.wait_for_status(
        refund_id, "settling"
    )  # the poll is an hour away: only the webhook can do this
    assert settling["stripe_status"] == "succeeded"
    attempts = await wait_for_deliveries(stack, "refund.updated", order["payment_intent_id"], delivered)
    assert attempts[0]["status"] == 503
    assert [s["event_type"] for s in await refund_signals(stack, refund_id)] == ["refund.updated"]
    assert await completed_fetches(stack, refund_id) == 1


async def test_dispute_opened_while_temporal_is_unreachable_is_redelivered_and_starts_its_workflow(
    stack: RefundStack, temporal_gate: TemporalGate, patient_webhooks: None
) -> None:
    await temporal_gate.close()
    order = await stack.paid_order(card="pm_card_createDispute")  # the bank opens a dispute half a second later
    refusals = await wait_for_deliveries(stack, "charge.dispute.created", order["payment_intent_id"], refused)
    assert await stored_events(stack, refusals[0]["event"]) == []
    assert (await stack.api.get("/disputes", headers=FINANCE)).json() == []

    await temporal_gate.open()
    await wait_for_deliveries(stack, "charge.dispute.created", order["payment_intent_id"], delivered)
    [record] = await stored_events(stack, refusals[0]["event"])
    assert record.outcome == "signalled"
    [dispute] = await wait_for_disputes(stack, lambda found: len(found) == 1)
    assert dispute["payment_intent_id"] == order["payment_intent_id"]


async def wait_for_disputes(stack: RefundStack, check, timeout: float = 20.0) -> list[dict]:
    """Poll GET /disputes until `check` holds."""
    deadline = time.monotonic() + timeout
    while not check(found := (await stack.api.get("/disputes", headers=FINANCE)).json()):
        assert time.monotonic() < deadline, f"disputes never matched: {found}"
        await asyncio.sleep(0.1)
    return found


async def test_staff_action_while_temporal_is_unreachable_is_503_and_changes_nothing(
    stack: RefundStack, temporal_gate: TemporalGate
) -> None:
    order = await stack.paid_order()
    refund = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    await temporal_gate.close()

    response = await stack.act(refund["refund_id"], "approve", APPROVER, note="wrong plan confirmed")
    assert_try_again(response)
    assert response.json()["detail"] == NOTHING_CHANGED
    state = await stack.handle(refund["refund_id"]).query(RefundWorkflow.state)
    assert state.status == "awaiting_approval" and state.approvals == []

    await temporal_gate.open()
    response = await stack.act(refund["refund_id"], "approve", APPROVER, note="wrong plan confirmed")
    assert response.status_code == 200, response.text
    assert response.json()["status"] in ("approved", "refunding", "settling")


async def test_staff_action_on_an_ended_refund_is_409(stack: RefundStack) -> None:
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], "changed_mind")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    await stack.handle(refund_id).result()
    await stack.wait_for_status(refund_id, "rejected")

    response = await stack.act(refund_id, "approve", APPROVER)
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == f"refund {refund_id} is rejected and can no longer change"


async def test_a_temporal_error_no_route_expected_is_503_json(
    api_temporal_client: Client, temporal_gate: TemporalGate
) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/describe")
    async def describe() -> dict:
        await api_temporal_client.get_workflow_handle("refund-anything").describe(rpc_timeout=timedelta(seconds=1))
        return {}

    await temporal_gate.close()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        response = await http.get("/describe")
    assert_try_again(response)
