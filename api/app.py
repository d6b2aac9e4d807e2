"""The FastAPI application: its lifespan owns the database, the Temporal client and the Stripe client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from api.auth import AuthFailureLimit
from api.docs_ui import install_docs
from api.errors import install_error_handlers
from api.metrics import ApiMetrics
from api.metrics import router as metrics_router
from api.openapi import install_openapi
from api.refund_start_loop import WaitingStartsLoop
from api.routes import customers, disputes, health, orders, refunds, settlements, shop_endpoints, webhooks
from api.temporal_link import TemporalLink
from console.app import install_console
from core.settings import Settings
from core.stripe_client import make_stripe_client
from customer_pages.app import install_customer_pages
from services.staff import ensure_dev_staff
from store.db import Database, wait_for_database
from store.migrate import upgrade
from store.staff import disable_dev_tokens

DESCRIPTION = """Refund and chargeback workflows for the shop's subscriptions.

Authenticate with `Authorization: Bearer <token>`. Roles: support, approver, finance, admin, shop; each operation
names the roles it needs (also as `x-roles`). The token is checked before a body is read: bodies over
`API_MAX_BODY_BYTES` (1 MiB by default) are refused with 413, and an address that sent too many unknown tokens gets
429 with `Retry-After`. Every error answers an `ErrorBody`: one sentence in `detail`, and for a malformed request one
line per field in `errors`.
"""


def create_app(
    settings: Settings, *, temporal_client: Client | None = None, database: Database | None = None
) -> FastAPI:
    """Build the app; tests pass their own client and database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.auth_failures = AuthFailureLimit(settings.auth_failure_limit)
        app.state.database = database or Database(settings.database_url)
        if settings.migrate_on_start:
            upgrade(app.state.database)
        else:
            wait_for_database(app.state.database.engine)
        # Well-known tokens (and dev passwords) work only while DEV_TOKENS is on: a start without it switches them off.
        app.state.database.transact(ensure_dev_staff if settings.dev_tokens else disable_dev_tokens)
        app.state.stripe = make_stripe_client(settings)
        app.state.metrics = ApiMetrics(app.state.database)
        app.state.temporal = TemporalLink(settings, temporal_client)
        app.state.temporal.start()
        app.state.waiting_starts = WaitingStartsLoop(app.state.database, app.state.temporal, settings)
        app.state.waiting_starts.start()
        try:
            yield
        finally:
            await app.state.waiting_starts.stop()
            await app.state.temporal.stop()
            if database is None:
                app.state.database.dispose()

    app = FastAPI(
        title="Refund service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by install_docs from vendored files: the CDN FastAPI defaults to is unreachable offline.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    for module in (health, orders, customers, refunds, settlements, disputes, shop_endpoints, webhooks):
        app.include_router(module.router)
    app.include_router(metrics_router)
    install_console(app)
    install_customer_pages(app, settings)
    install_docs(app)
    install_openapi(app)
    return app
