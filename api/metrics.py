"""The API's Prometheus metrics: webhook lag and outcomes, refunds by status (read at scrape time)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import select

from api.guarded_route import GuardedRoute
from store.db import Database
from store.refund_tables import Refund

router = APIRouter(tags=["metrics"], route_class=GuardedRoute)


class RefundsByStatus:
    """A collector that counts refunds per status in the read model whenever Prometheus scrapes."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self):
        """One gauge sample per status."""
        gauge = GaugeMetricFamily("refunds_by_status", "Refunds in the read model, by status", labels=["status"])
        rows = self.database.transact(
            lambda session: list(session.exec(select(Refund.status, func.count()).group_by(Refund.status)))
        )
        for status, count in rows:
            gauge.add_metric([status], count)
        yield gauge


class ApiMetrics:
    """The metrics of one API app (own registry, so several apps can live in one test process)."""

    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.webhook_lag = Histogram(
            "stripe_webhook_lag_seconds",
            "Time from a Stripe event's creation to our handling of it",
            ["event_type"],
            buckets=(0.1, 0.5, 1, 2, 5, 15, 60, 300, 1800, 3600, 21600, 86400),
            registry=self.registry,
        )
        self.webhook_events = Counter(
            "stripe_webhook_events",
            "Stripe webhook events by type and outcome",
            ["event_type", "outcome"],
            registry=self.registry,
        )
        self.registry.register(RefundsByStatus(database))

    def observe_webhook(self, event_type: str, created: int, outcome: str) -> None:
        """Record one handled webhook."""
        self.webhook_lag.labels(event_type).observe(max(0.0, time.time() - created))
        self.webhook_events.labels(event_type, outcome).inc()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
