"""Fixtures of the platform tests: databases on SQLite and PostgreSQL, and the API app in-process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import platform_support
import pytest
import stripe
from platform_support import api_settings

from api.app import create_app
from core.settings import Settings
from store.db import Database
from store.migrate import upgrade
from stripe_emulator.testing import RunningEmulator


@pytest.fixture(scope="session")
def postgres_session_url(create_postgres_database: Callable[[], str]) -> str:
    """One database for this test session, migrated once."""
    url = create_postgres_database()
    database = Database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()
    return url


# ---- Both backends ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_session_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite file for this test session, migrated once."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'refunds.db'}"
    database = Database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The session database of each backend in turn (tests use unique ids, so they do not collide)."""
    fixture = {"sqlite": "sqlite_session_url", "postgresql": "postgres_session_url"}[request.param]
    return request.getfixturevalue(fixture)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A Database on the backend under test."""
    db = Database(database_url)
    yield db
    db.dispose()


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real app built with `settings`, its lifespan (migrations, dev tokens) run around it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
async def api(database_url: str, tmp_path: Path, stripe_emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """The API with the emulator as Stripe (Temporal unreachable)."""
    async with serve(api_settings(database_url, tmp_path, stripe_emulator)) as client:
        yield client


@pytest.fixture
async def api_without_stripe(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The API with Stripe (and Temporal) unreachable."""
    async with serve(api_settings(database_url, tmp_path)) as client:
        yield client


@pytest.fixture(scope="session")
def shop_stripe(stripe_emulator: RunningEmulator) -> stripe.StripeClient:
    """The shop's Stripe client: it pays in the emulator before registering orders."""
    return stripe_emulator.stripe_client()


@pytest.fixture
def order_body(shop_stripe: stripe.StripeClient) -> Callable[..., dict[str, Any]]:
    """`order_body(order_id, customer_id, **changes)`: a registration of an order paid in the emulator."""
    return partial(platform_support.order_body, shop_stripe)


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Ids no other test uses, since the session database is shared."""
    suffix = uuid.uuid4().hex[:10]
    return lambda prefix: f"{prefix}-{suffix}"
