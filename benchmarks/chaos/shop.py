"""The outside world: emulator payments registered as orders, and a support agent's client retrying like a real one."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import stripe

from stripe_emulator.testing import pay

SHOP = {"Authorization": "Bearer dev-shop-1"}
SUPPORT = {"Authorization": "Bearer dev-support-1"}
AMOUNT_MINOR = 1200  # under the automatic-approval ceiling: no approver needed
REFUND_ID = re.compile(r"rf_[0-9a-f]{24}")
REQUEST_TIMEOUT_S = 40.0


@dataclass
class Order:
    """A paid order the shop registered, with the card it was paid by."""

    order_id: str
    payment_intent_id: str
    card: str


@dataclass
class RefundRequest:
    """One refund asked for, every answer the client got, and what it concluded."""

    order: Order
    idempotency_key: str | None
    experiment: str
    probe: bool = False
    answers: list[tuple[int | None, str]] = field(default_factory=list)  # (HTTP status or None for no answer, body)
    no_detail_5xx: int = 0  # 5xx answers without a JSON `detail` a client could show
    refund_id: str | None = None  # learned from a 2xx, or from a 409 naming the open refund
    acknowledged: bool = False  # a 2xx said the refund exists
    refused: str | None = None  # a definite 4xx that named no refund
    started_at: float = 0.0
    first_answer_at: float | None = None
    answered_at: float | None = None

    @property
    def unknown_first(self) -> bool:
        """The first try got no definite answer (connection lost, timeout, 5xx)."""
        return bool(self.answers) and (self.answers[0][0] is None or self.answers[0][0] >= 500)


def stripe_client(emulator_url: str) -> stripe.StripeClient:
    """The official SDK pointed at the emulator (the shop's and the auditor's view of Stripe)."""
    return stripe.StripeClient(
        "sk_test_chaos", base_addresses={"api": emulator_url}, max_network_retries=3,
        http_client=stripe.HTTPXClient(timeout=30, allow_sync_methods=True),
    )  # fmt: skip


async def paid_order(api: httpx.AsyncClient, sdk: stripe.StripeClient, card: str = "pm_card_visa") -> Order:
    """Pay in the emulator with `card`, then register the order through the API (retried while the API restarts)."""
    intent = await asyncio.to_thread(pay, sdk, AMOUNT_MINOR, "eur", card)
    customer = f"chaos-{uuid.uuid4().hex[:10]}"
    body = {
        "order_id": f"chaos-{uuid.uuid4().hex[:12]}", "customer_id": customer,
        "customer_email": f"{customer}@example.com",
        "plan_months": 1, "amount_minor": AMOUNT_MINOR, "currency": "eur", "payment_intent_id": intent.id,
        "paid_at": datetime.fromtimestamp(intent.created, UTC).isoformat(),
    }  # fmt: skip
    for _ in range(20):
        try:
            response = await api.post("/orders", json=body, headers=SHOP)
            if response.status_code in (200, 201):
                return Order(str(body["order_id"]), intent.id, card)
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError(f"could not register order {body['order_id']}")


async def paid_orders(
    api: httpx.AsyncClient, sdk: stripe.StripeClient, count: int, card: str = "pm_card_visa"
) -> list[Order]:
    """`count` paid orders, made a few at a time."""
    gate = asyncio.Semaphore(4)

    async def one() -> Order:
        async with gate:
            return await paid_order(api, sdk, card)

    return list(await asyncio.gather(*(one() for _ in range(count))))


def with_key(index: int, keyed_share: float) -> bool:
    """Whether request `index` of a burst sends an Idempotency-Key (spread evenly, not at random)."""
    return int((index + 1) * keyed_share) > int(index * keyed_share)


async def request_refund(api: httpx.AsyncClient, request: RefundRequest, give_up_after_s: float) -> RefundRequest:
    """POST /refunds and retry what has no definite answer, as a real client does, for at most `give_up_after_s`."""
    headers = dict(SUPPORT)
    if request.idempotency_key:
        headers["Idempotency-Key"] = request.idempotency_key
    body = {"order_id": request.order.order_id, "reason": "not_activated", "note": f"chaos {request.experiment}"}
    request.started_at = time.time()
    deadline = time.monotonic() + give_up_after_s
    delay = 0.3
    while time.monotonic() < deadline:
        try:
            response = await api.post("/refunds", json=body, headers=headers, timeout=REQUEST_TIMEOUT_S)
        except httpx.HTTPError as error:
            request.answers.append((None, type(error).__name__))
        else:
            request.first_answer_at = request.first_answer_at or time.time()
            request.answers.append((response.status_code, response.text[:300]))
            request.no_detail_5xx += missing_detail(response)
            if _concluded(request, response):
                request.answered_at = time.time()
                return request
            delay = max(delay, _retry_after(response))
        await asyncio.sleep(delay * random.uniform(0.8, 1.2))
        delay = min(delay * 2, 4.0)
    return request  # no definite answer in time: measured as such


def _concluded(request: RefundRequest, response: httpx.Response) -> bool:
    """Record a definite answer; False for one worth retrying (5xx, 429)."""
    status = response.status_code
    if status >= 500 or status == 429:
        return False
    found = REFUND_ID.search(response.text)
    if 200 <= status < 300:
        request.acknowledged = True
        request.refund_id = response.json().get("refund_id")
    elif status == 409 and found:
        request.refund_id = found.group(0)  # "a refund is already open on this order": the one our first try started
    else:
        request.refused = f"{status}: {response.text[:200]}"
    return True


def _retry_after(response: httpx.Response) -> float:
    """Seconds the server asked us to wait (Retry-After), 0 if it did not say."""
    try:
        return min(float(response.headers.get("retry-after", 0)), 10.0)
    except ValueError:
        return 0.0


def missing_detail(response: httpx.Response) -> bool:
    """A 5xx whose body is not JSON with a `detail` sentence (what a client can show or log)."""
    if response.status_code < 500:
        return False
    try:
        body = json.loads(response.text)
    except ValueError:
        return True
    return not (isinstance(body, dict) and body.get("detail"))
