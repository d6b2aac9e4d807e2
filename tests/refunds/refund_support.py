"""Helpers for refund tests: paid orders in the emulator, requests through the API, waiting for statuses."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import stripe
from sqlmodel import col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from benchmarks.temporal_costs import billable_actions  # noqa: F401  (re-exported for tests)
from core.settings import Settings
from store.db import Database
from store.refund_tables import OutboxMessage
from stripe_emulator.testing import RunningEmulator, pay


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a dev token."""
    return {"Authorization": f"Bearer {token}"}


# API and workers of the test stack share it; tests that forge calls use the unsigned client instead.
ACTOR_SIGNING_KEY = "test-actor-signing-key-0123456789abcdef"

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
        intent = await asyncio.to_thread(pay, self.stripe, amount_minor, currency, card, customer.id)
        paid_at = paid_at or datetime.fromtimestamp(intent.created, UTC)
        body = {
            "order_id": f"ord-{uuid.uuid4().hex[:10]}",
            "customer_id": customer_id,
            "customer_email": f"{customer_id}@example.com",
            "plan_months": plan_months,
            "amount_minor": amount_minor,
            "currency": currency,
            "payment_intent_id": intent.id,
            "stripe_customer_id": customer.id,
            "paid_at": paid_at.isoformat(),
            "locale": locale,
        }
        if activated:
            body["activated_at"] = paid_at.isoformat()
        response = await self.api.post("/orders", json=body, headers=SHOP)
        assert response.status_code == 201, response.text
        return response.json()

    async def request_refund(
        self, order_id: str, reason: str, headers: dict | None = None, **fields: Any
    ) -> httpx.Response:
        """POST /refunds as support (or as `headers` say)."""
        return await self.api.post(
            "/refunds", json={"order_id": order_id, "reason": reason, **fields}, headers=headers or SUPPORT
        )

    async def act(self, refund_id: str, verb: str, headers: dict, /, **body: Any) -> httpx.Response:
        """POST /refunds/{id}/{verb} (approve, reject, cancel, troubleshooting, ...) as `headers` say."""
        return await self.api.post(f"/refunds/{refund_id}/{verb}", json=body, headers=headers)

    async def open_refund(self, order_id: str, reason: str, status: str, **fields: Any) -> dict[str, Any]:
        """Request a refund and wait until the read model shows it in `status`."""
        response = await self.request_refund(order_id, reason, **fields)
        assert response.status_code == 201, response.text
        return await self.wait_for_status(response.json()["refund_id"], status)

    async def outbox(self, refund_id: str) -> list[OutboxMessage]:
        """The customer emails queued for a refund, oldest first (read in a thread: the API shares this event loop)."""
        query = select(OutboxMessage).where(OutboxMessage.refund_id == refund_id).order_by(col(OutboxMessage.id))
        return await self.database.atransact(lambda session: list(session.exec(query)))

    async def emails(self, refund_id: str) -> list[str]:
        """The templates of the customer emails queued for a refund."""
        return [message.template for message in await self.outbox(refund_id)]

    async def refund(self, refund_id: str) -> dict[str, Any]:
        """GET /refunds/{id} as support."""
        response = await self.api.get(f"/refunds/{refund_id}", headers=SUPPORT)
        assert response.status_code == 200, response.text
        return response.json()

    async def wait_until(
        self, refund_id: str, what: str, check: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        """Poll the read model until `check(refund)` holds; `what` names the condition in the failure message."""
        deadline = time.monotonic() + timeout
        while True:
            refund = await self.refund(refund_id)
            if check(refund):
                return refund
            if time.monotonic() > deadline:
                raise AssertionError(f"refund {refund_id}: not {what} after {timeout}s: {refund}")
            await asyncio.sleep(0.1)

    async def dispute_of(self, payment_intent_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The dispute our API recorded for this payment, once its workflow has published it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                d
                for d in (await self.api.get("/disputes", headers=FINANCE)).json()
                if d["payment_intent_id"] == payment_intent_id
            ]
            if found and found[0]["prior_contact"] is not None and found[0]["evidence_due_at"] is not None:
                return found[0]
            assert time.monotonic() < deadline, "the dispute never reached our records"
            await asyncio.sleep(0.1)

    async def wait_for_status(self, refund_id: str, *statuses: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll the read model until the refund reaches one of `statuses`."""
        deadline = time.monotonic() + timeout
        while True:
            refund = await self.refund(refund_id)
            if refund["status"] in statuses:
                return refund
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"refund {refund_id} is {refund['status']}, not {statuses} after {timeout}s: {refund['timeline']}"
                )
            await asyncio.sleep(0.1)

    def handle(self, refund_id: str) -> WorkflowHandle:
        """The refund's workflow handle."""
        from workflows.refund import RefundWorkflow

        return self.client.get_workflow_handle_for(RefundWorkflow.run, f"refund-{refund_id}")

    async def stripe_refunds(self, payment_intent_id: str) -> list[Any]:
        """Every Stripe refund on a payment."""
        page = await asyncio.to_thread(self.stripe.v1.refunds.list, {"payment_intent": payment_intent_id, "limit": 100})
        return list(page.data)


HISTORIES = Path(__file__).resolve().parent.parent / "histories"


async def save_histories(stack: RefundStack, test_name: str) -> None:
    """With SAVE_HISTORIES=1, keep every workflow history a `@pytest.mark.history` test made, for the replay test."""
    if not os.environ.get("SAVE_HISTORIES"):
        return
    HISTORIES.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_]+", "_", test_name.removeprefix("test_")).strip("_")
    executions = [w async for w in stack.client.list_workflows(f"TaskQueue = '{stack.settings.temporal_task_queue}'")]
    for index, execution in enumerate(sorted(executions, key=lambda w: w.start_time)):
        history = await stack.client.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history()
        (HISTORIES / f"{name}__{execution.workflow_type}_{index}.json").write_text(history.to_json())
