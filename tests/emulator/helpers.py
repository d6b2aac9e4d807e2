"""Helpers for the emulator's tests: a real webhook receiver, polling, a standard card payment."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar, cast

import stripe
from stripe.params import PaymentIntentCreateParams

T = TypeVar("T")

# Delays shrunk from seconds to fractions of a second; rate limiting off except in its own tests.
FAST_SETTINGS = {
    "rate_limit": 0,
    "refund_pending_delay": 0.3,
    "refund_failure_delay": 0.3,
    "dispute_delay": 0.2,
    "dispute_decision_delay": 0.2,
    "webhook_retry_base": 0.05,
    "webhook_max_attempts": 4,
    "webhook_timeout": 2,
}


# Every /v1 answer of the session's emulator (`--record-responses`), for tests/emulator/test_schema.py.
RESPONSES_FILE = Path(tempfile.gettempdir()) / f"stripe-emulator-responses-{os.getpid()}.jsonl"


def wait_for(probe: Callable[[], T], timeout: float = 5.0, interval: float = 0.05) -> T:
    """Poll until `probe` returns something truthy; fail with the last value after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)


def card_payment(amount: int = 1000, payment_method: str = "pm_card_visa", **params: Any) -> PaymentIntentCreateParams:
    """Parameters of a confirmed card-only PaymentIntent (card-only, so no return_url is needed)."""
    # `payment_method_types` is our pinned API version's name; the SDK's types follow a newer version.
    return cast(
        PaymentIntentCreateParams,
        {
            "amount": amount,
            "currency": "usd",
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            **params,
        },
    )


def pay(client: stripe.StripeClient, payment_method: str = "pm_card_visa", amount: int = 1000, **params: Any):
    """A confirmed card PaymentIntent."""
    return client.v1.payment_intents.create(params=card_payment(amount, payment_method, **params))


@dataclass
class Delivery:
    """One webhook POST as the receiver saw it."""

    payload: str
    signature: str
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        """The decoded event body."""
        return json.loads(self.payload)


class WebhookReceiver:
    """A real HTTP server on a free local port that records webhook POSTs and answers scripted statuses."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.scripted: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                with receiver._lock:
                    status = receiver.scripted.pop(0) if receiver.scripted else 200
                    receiver.deliveries.append(Delivery(body, self.headers.get("Stripe-Signature", ""), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                """Keep test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer_next(self, *statuses: int) -> None:
        """Answer the next deliveries with these statuses (then 200)."""
        with self._lock:
            self.scripted.extend(statuses)

    def of_type(self, event_type: str, *, accepted_only: bool = True) -> list[Delivery]:
        """Deliveries of one event type (by default only those answered 2xx)."""
        with self._lock:
            return [
                d
                for d in self.deliveries
                if d.event["type"] == event_type and (not accepted_only or 200 <= d.answered < 300)
            ]

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()
