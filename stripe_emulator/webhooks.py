"""Webhook delivery: signed exactly as Stripe signs, retried with exponential backoff, each delivery independent."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import httpx

from stripe_emulator.context import Ctx
from stripe_emulator.render import public

if TYPE_CHECKING:
    from stripe_emulator.engine import Emulator

log = logging.getLogger(__name__)

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """`Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookDispatcher:
    """Runs one task per (event, endpoint) delivery until it is acknowledged or gives up."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.tasks: dict[str, asyncio.Task] = {}
        self.attempt_log: deque[dict[str, Any]] = deque(maxlen=5000)
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the HTTP client and resume deliveries found in state."""
        self.client = httpx.AsyncClient(follow_redirects=False)
        for delivery_id in list(self.emu.state.deliveries):
            self.launch(delivery_id)

    async def stop(self) -> None:
        """Cancel deliveries in flight (they stay in state) and close the client."""
        self.cancel_all()
        if self.client:
            await self.client.aclose()

    def launch(self, delivery_id: str) -> None:
        """Start delivering one queued delivery."""
        self.tasks[delivery_id] = asyncio.create_task(self._deliver(delivery_id), name=f"webhook-{delivery_id}")

    def cancel_all(self) -> None:
        """Stop every delivery task (reset)."""
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()

    async def _deliver(self, delivery_id: str) -> None:
        """Attempt until a 2xx answer or the attempt limit; failures wait base * 2^(n-1) seconds."""
        try:
            while True:
                prepared = await self._prepare(delivery_id)
                if prepared is None:
                    return
                wait, url, payload, secret = prepared
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                outcome = await self._post(url, payload, secret)
                if await self._record(delivery_id, outcome):
                    return
        finally:
            self.tasks.pop(delivery_id, None)

    async def _prepare(self, delivery_id: str) -> tuple[float, str, str, str] | None:
        """The wait before the next attempt and what to send; None when the delivery is gone."""
        async with self.emu.lock:
            delivery = self.emu.state.deliveries.get(delivery_id)
            if delivery is None:
                return None
            event = self.emu.state.collection("events").get(delivery["event"])
            endpoint = self.emu.state.collection("webhook_endpoints").get(delivery["endpoint"])
            if event is None or endpoint is None:
                # The endpoint was deleted: Stripe stops delivering to it.
                self.emu.state.drop_delivery(delivery_id)
                await self.emu.persist()
                return None
            payload = json.dumps(public(Ctx(self.emu), event), indent=2)
            return delivery["next_at"] - time.time(), endpoint["url"], payload, endpoint["_secret"]

    async def _post(self, url: str, payload: str, secret: str) -> dict[str, Any]:
        """One signed POST; the outcome records the status or the connection error."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": signature_header(payload, secret, int(time.time())),
        }
        assert self.client is not None
        try:
            response = await self.client.post(
                url, content=payload.encode(), headers=headers, timeout=self.emu.settings.webhook_timeout
            )
        except httpx.HTTPError as exc:
            return {"ok": False, "status": None, "error": f"{type(exc).__name__}: {exc}"}
        return {"ok": 200 <= response.status_code < 300, "status": response.status_code, "error": None}

    async def _record(self, delivery_id: str, outcome: dict[str, Any]) -> bool:
        """Save an attempt's outcome; True when the delivery is finished (acknowledged or abandoned)."""
        async with self.emu.lock:
            delivery = self.emu.state.deliveries.get(delivery_id)
            if delivery is None:
                return True
            delivery["attempts"] += 1
            self.emu.state.mark("deliveries", delivery_id)
            event = self.emu.state.collection("events").get(delivery["event"])
            entry = {
                "delivery": delivery_id,
                "event": delivery["event"],
                "type": event["type"] if event else None,
                "endpoint": delivery["endpoint"],
                "attempt": delivery["attempts"],
                "at": time.time(),
                **outcome,
            }
            self.attempt_log.append(entry)
            settings = self.emu.settings
            done = outcome["ok"] or delivery["attempts"] >= settings.webhook_max_attempts
            if outcome["ok"]:
                if event:
                    event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
                    self.emu.state.changed(event)
                log.info("webhook delivered", extra={k: entry[k] for k in ("event", "type", "endpoint", "attempt")})
            elif done:
                log.warning("webhook abandoned", extra=entry)
            else:
                delivery["next_at"] = time.time() + settings.webhook_retry_base * 2 ** (delivery["attempts"] - 1)
                log.info("webhook attempt failed; will retry", extra=entry)
            if done:
                self.emu.state.drop_delivery(delivery_id)
            await self.emu.persist()
            return done
