"""Helpers for refund tests: paid orders in the emulator, requests through the API, waiting for statuses."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import stripe
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from sqlmodel import select

from core.settings import Settings
from store.db import Database
from store.refund_tables import OutboxMessage
from stripe_emulator.testing import RunningEmulator


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a dev token."""
    return {"Authorization": f"Bearer {token}"}


SUPPORT = bearer("dev-support-1")
SUPPORT_2 = bearer("dev-support-2")
APPROVER = bearer("dev-approver-1")
APPROVER_2 = bearer("dev-approver-2")
FINANCE = bearer("dev-finance-1")
ADMIN = bearer("dev-admin-1")
SHOP = bearer("dev-shop-1")


def entries(refund: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The refund's timeline entries of one kind."""
    return [entry for entry in refund["timeline"] if entry["kind"] == kind]


@dataclass
class RefundStack:
    """Everything a refund test talks to."""

    api: httpx.AsyncClient
    settings: Settings
    client: Client
    env: WorkflowEnvironment
    database: Database
    stripe: stripe.StripeClient
    emulator: RunningEmulator

    async def paid_order(
        self,
        *,
        amount_minor: int = 1999,
        currency: str = "eur",
        card: str = "pm_card_visa",
        activated: bool = False,
        customer_id: str | None = None,
        plan_months: int = 1,
        locale: str = "en",
        paid_at: datetime | None = None,
    ) -> dict[str, Any]:
        """A real payment in the emulator, registered as an order through the API (`paid_at` may predate it)."""
        customer_id = customer_id or f"cus-{uuid.uuid4().hex[:10]}"
        customer = await asyncio.to_thread(self.stripe.v1.customers.create, {"email": f"{customer_id}@example.com"})
        intent = await asyncio.to_thread(
            self.stripe.v1.payment_intents.create,
            {"amount": amount_minor, "currency": currency, "customer": customer.id, "payment_method": card, "payment_method_types": ["card"], "confirm": True},
        )
        paid_at = paid_at or datetime.fromtimestamp(intent.created, UTC)
        await self.webhooks_delivered()
        body = {
            "order_id": f"ord-{uuid.uuid4().hex[:10]}",
            "customer_id": customer_id,
            "customer_email": f"{customer_id}@example.com",
            "plan_months": plan_months,
            "amount_minor": amount_minor,
            "currency": currency,
            "payment_intent_id": intent.id,
            "paid_at": paid_at.isoformat(),
            "locale": locale,
        }
        if activated:
            body["activated_at"] = paid_at.isoformat()
        response = await self.api.post("/orders", json=body, headers=SHOP)
        assert response.status_code == 201, response.text
        return response.json()

    async def webhooks_delivered(self, timeout: float = 10.0) -> None:
        """Wait until the emulator has no webhook left to deliver to this stack's API.

        Registering an order while the payment's webhooks arrive can deadlock the API: the webhook route runs its
        SQLite writes on the event loop, blocking it while POST /orders holds the write lock and needs the loop to
        commit (reported for api/routes/webhooks.py). Tests about refunds let the payment's events land first.
        """
        url = f"{self.settings.public_api_url}/webhooks/stripe"
        endpoints = await asyncio.to_thread(self.emulator.control.webhook_endpoints)
        ours = {endpoint["id"] for endpoint in endpoints if endpoint["url"] == url}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            deliveries = await asyncio.to_thread(self.emulator.control.webhook_deliveries)
            if not [d for d in deliveries["pending"] if d["endpoint"] in ours]:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"webhooks to {url} still pending after {timeout}s")

    async def request_refund(self, order_id: str, reason: str, headers: dict | None = None, **fields: Any) -> httpx.Response:
        """POST /refunds as support (or as `headers` say)."""
        return await self.api.post("/refunds", json={"order_id": order_id, "reason": reason, **fields}, headers=headers or SUPPORT)

    async def act(self, refund_id: str, verb: str, headers: dict, /, **body: Any) -> httpx.Response:
        """POST /refunds/{id}/{verb} (approve, reject, cancel, troubleshooting, ...) as `headers` say."""
        return await self.api.post(f"/refunds/{refund_id}/{verb}", json=body, headers=headers)

    async def open_refund(self, order_id: str, reason: str, status: str, **fields: Any) -> dict[str, Any]:
        """Request a refund and wait until the read model shows it in `status`."""
        response = await self.request_refund(order_id, reason, **fields)
        assert response.status_code == 201, response.text
        return await self.wait_for_status(response.json()["refund_id"], status)

    def outbox(self, refund_id: str) -> list[OutboxMessage]:
        """The customer emails queued for a refund, oldest first."""
        with self.database.session() as session:
            query = select(OutboxMessage).where(OutboxMessage.refund_id == refund_id).order_by(OutboxMessage.id)
            return list(session.exec(query))

    def emails(self, refund_id: str) -> list[str]:
        """The templates of the customer emails queued for a refund."""
        return [message.template for message in self.outbox(refund_id)]

    async def refund(self, refund_id: str) -> dict[str, Any]:
        """GET /refunds/{id} as support."""
        response = await self.api.get(f"/refunds/{refund_id}", headers=SUPPORT)
        assert response.status_code == 200, response.text
        return response.json()

    async def wait_for_status(self, refund_id: str, *statuses: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll the read model until the refund reaches one of `statuses`."""
        deadline = time.monotonic() + timeout
        while True:
            refund = await self.refund(refund_id)
            if refund["status"] in statuses:
                return refund
            if time.monotonic() > deadline:
                raise AssertionError(f"refund {refund_id} is {refund['status']}, not {statuses} after {timeout}s: {refund['timeline']}")
            await asyncio.sleep(0.1)

    def handle(self, refund_id: str) -> WorkflowHandle:
        """The refund's workflow handle."""
        from workflows.refund import RefundWorkflow

        return self.client.get_workflow_handle_for(RefundWorkflow.run, f"refund-{refund_id}")

    async def stripe_refunds(self, payment_intent_id: str) -> list[stripe.Refund]:
        """Every Stripe refund on a payment."""
        page = await asyncio.to_thread(self.stripe.v1.refunds.list, {"payment_intent": payment_intent_id, "limit": 100})
        return list(page.data)


def billable_actions(history) -> int:
    """Temporal Cloud actions a history shows: start, activities, timers, signals, updates, upserts, one per task with local activities."""
    from temporalio.api.enums.v1 import EventType

    per_event = {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
        EventType.EVENT_TYPE_TIMER_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    }
    actions = 0
    marker_tasks = set()
    last_task_completed = 0
    for event in history.events:
        if event.event_type in per_event:
            actions += 1
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_task_completed = event.event_id
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker_tasks.add(event.marker_recorded_event_attributes.workflow_task_completed_event_id or last_task_completed)
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions += max(0, event.activity_task_started_event_attributes.attempt - 1)  # retries bill too
    return actions + len(marker_tasks)


HISTORIES = __import__("pathlib").Path(__file__).resolve().parent.parent / "histories"


async def keep_history(stack: RefundStack, refund_id: str, name: str) -> None:
    """With SAVE_HISTORIES=1, save this workflow's history for the replay test (run once per change of path)."""
    import os

    if not os.environ.get("SAVE_HISTORIES"):
        return
    history = await stack.handle(refund_id).fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())
