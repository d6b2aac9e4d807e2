"""The shop relay: lease due deliveries, POST them signed, record each outcome, back off for days on failure.

Delivery is at least once: a delivery is marked delivered only after the endpoint answered 2xx, in a short
transaction right after. A crash between the two sends it again, with the same `webhook-id`, so receivers
de-duplicate on it. Endpoints are served side by side; one endpoint's deliveries go one after another, oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from core.settings import Settings
from notifications.relay import backoff_delay
from shop_webhooks.signing import body_of, signed_headers
from store import shop_deliveries
from store.db import Database
from store.shop_event_tables import ShopDelivery, ShopEndpoint
from store.types import utcnow

log = logging.getLogger("shop_webhooks.relay")
USER_AGENT = "refund-service-shop-events/1"


@dataclass(frozen=True)
class ShopRelayConfig:
    """How the relay delivers; built once from settings, or directly by tests."""

    poll_seconds: float = 5.0
    batch_size: int = 20
    timeout_seconds: float = 10.0
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(days=3)
    lease: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        """Fail at start-up rather than on the first slow endpoint."""
        if self.lease.total_seconds() < 3 * self.timeout_seconds:
            raise ValueError("the shop-event lease must outlast a slow endpoint: lower SHOP_EVENTS_TIMEOUT_SECONDS")

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopRelayConfig:
        """The relay configuration the worker runs with."""
        return cls(
            poll_seconds=settings.shop_events_poll_seconds,
            batch_size=settings.shop_events_batch_size,
            timeout_seconds=settings.shop_events_timeout_seconds,
            retry_base=settings.shop_events_retry_base,
            retry_cap=settings.shop_events_retry_cap,
            give_up_after=settings.shop_events_give_up_after,
        )


@dataclass
class ShopPassReport:
    """What one delivery pass did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    given_up: int = 0
    released: int = 0
    event_ids_delivered: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Attempt:
    """The outcome of one POST: a status code when the endpoint answered, an error sentence when not 2xx."""

    status_code: int | None
    error: str | None


class ShopEventRelay:
    """Delivers the shop deliveries; several relays (worker processes) may run against one database."""

    def __init__(
        self,
        database: Database,
        config: ShopRelayConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.database = database
        self.config = config
        self._clock = clock
        self._transport = transport
        self._name = f"{socket.gethostname()[:24]}:{os.getpid()}"

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; the attempt in flight finishes, the rest of the batch is handed back."""
        log.info("shop-event relay started", extra={"poll_seconds": self.config.poll_seconds, "relay": self._name})
        while not stop.is_set():
            try:
                report: ShopPassReport | None = await self.deliver_due(stop.is_set)
            except Exception:
                log.exception("shop-event relay pass failed; trying again after the poll interval")
                report = None
            if report and report.claimed == self.config.batch_size and not report.released:
                continue  # a full batch: more may be due right now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)
        log.info("shop-event relay stopped", extra={"relay": self._name})

    async def deliver_due(self, should_stop: Callable[[], bool] = lambda: False) -> ShopPassReport:
        """One pass: lease a batch of due deliveries, send them (endpoints side by side), record each outcome."""
        started = self._clock()
        token = f"{self._name}:{uuid.uuid4().hex[:12]}"
        lease_end = started + self.config.lease
        claimed = await self.database.atransact(
            lambda session: shop_deliveries.claim_due(session, token, started, lease_end, self.config.batch_size)
        )
        report = ShopPassReport(claimed=len(claimed))
        by_endpoint: dict[str, list[tuple[ShopDelivery, ShopEndpoint]]] = {}
        for delivery, endpoint in claimed:
            by_endpoint.setdefault(endpoint.endpoint_id, []).append((delivery, endpoint))
        if by_endpoint:
            async with httpx.AsyncClient(
                timeout=self.config.timeout_seconds,
                follow_redirects=False,  # a redirect is not a delivery (Standard Webhooks)
                headers={"user-agent": USER_AGENT},
                transport=self._transport,
            ) as http:
                sends = [
                    self._deliver_in_order(http, batch, token, lease_end, should_stop, report)
                    for batch in by_endpoint.values()
                ]
                await asyncio.gather(*sends)
        return report

    async def _deliver_in_order(
        self,
        http: httpx.AsyncClient,
        batch: list[tuple[ShopDelivery, ShopEndpoint]],
        token: str,
        lease_end: datetime,
        should_stop: Callable[[], bool],
        report: ShopPassReport,
    ) -> None:
        """One endpoint's deliveries, oldest first; stop early (handing them back) on shutdown or a short lease."""
        budget = timedelta(seconds=2 * self.config.timeout_seconds)
        for index, (delivery, endpoint) in enumerate(batch):
            if should_stop() or self._clock() + budget > lease_end:
                await self._release([_stored_id(d) for d, _ in batch[index:]], token, report)
                return
            attempt = await self._post(http, delivery, endpoint)
            await self._record(delivery, endpoint, token, attempt, report)

    async def _release(self, delivery_ids: list[int], token: str, report: ShopPassReport) -> None:
        """Give unattempted deliveries back for the next pass (this relay's or another's)."""
        await self.database.atransact(lambda s: shop_deliveries.release(s, delivery_ids, token))
        report.released += len(delivery_ids)

    async def _post(self, http: httpx.AsyncClient, delivery: ShopDelivery, endpoint: ShopEndpoint) -> _Attempt:
        """POST the event signed now: each attempt has its own timestamp, the same id and body."""
        body = body_of(delivery.payload)
        headers = signed_headers(endpoint.secret, delivery.event_id, body, self._clock())
        try:
            response = await http.post(endpoint.url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            return _Attempt(None, f"no answer within {self.config.timeout_seconds:g} s")
        except httpx.HTTPError as error:
            return _Attempt(None, f"could not reach the endpoint: {error.__class__.__name__}: {error}")
        if response.is_success:
            return _Attempt(response.status_code, None)
        return _Attempt(response.status_code, f"HTTP {response.status_code}: {response.text[:300]}")

    async def _record(
        self, delivery: ShopDelivery, endpoint: ShopEndpoint, token: str, attempt: _Attempt, report: ShopPassReport
    ) -> None:
        """Delivered on 2xx; otherwise back off, or give up once the span since it was queued (or replayed) is over."""
        now, delivery_id, attempts = self._clock(), _stored_id(delivery), delivery.attempts + 1
        about = {
            "event_id": delivery.event_id,
            "event_type": delivery.event_type,
            "endpoint_id": endpoint.endpoint_id,
            "attempts": attempts,
            "status_code": attempt.status_code,
        }
        if attempt.error is None:
            assert attempt.status_code is not None
            status_code = attempt.status_code
            kept = await self.database.atransact(
                lambda s: shop_deliveries.mark_delivered(s, delivery_id, token, status_code, now)
            )
            report.delivered += 1
            report.event_ids_delivered.append(delivery.event_id)
            log.info("shop event delivered", extra=about)
            if not kept:
                log.warning("shop event lease had lapsed before it was recorded: it may arrive twice", extra=about)
            return
        error = attempt.error
        retry_at: datetime | None = now + backoff_delay(attempts, self.config.retry_base, self.config.retry_cap)
        deadline = (delivery.replayed_at or delivery.created_at) + self.config.give_up_after
        if retry_at is not None and retry_at > deadline:
            retry_at = None
        await self.database.atransact(
            lambda s: shop_deliveries.mark_failed(
                s, delivery_id, token, now, attempt.status_code, error, retry_at=retry_at
            )
        )
        if retry_at is None:
            report.given_up += 1
            log.error("shop event given up: an admin may replay it", extra=about | {"error": error})
        else:
            report.retried += 1
            retry = {"error": error, "retry_at": retry_at.isoformat()}
            log.warning("shop event delivery failed; will retry", extra=about | retry)


def _stored_id(delivery: ShopDelivery) -> int:
    """The id of a delivery read from the database."""
    assert delivery.id is not None
    return delivery.id
