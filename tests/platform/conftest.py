"""Fixtures of the platform tests: databases on SQLite and PostgreSQL, and the API app in-process."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.app import create_app
from platform_support import api_settings
from store.db import Database
from store.migrate import upgrade

POSTGRES_SKIP_REASON = "TEST_POSTGRES_URL is not set (.ci/run sets it); PostgreSQL tests skipped"


# ---- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The server TEST_POSTGRES_URL points at; its role may create databases."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip(POSTGRES_SKIP_REASON)
    return url


@pytest.fixture(scope="session")
def create_postgres_database(postgres_server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases on the test server, all dropped at the end of the session."""
    server = make_url(postgres_server_url)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    created: list[str] = []

    def create() -> str:
        name = f"refunds_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield create
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real app, its lifespan (migrations, dev tokens) run around the test."""
    app = create_app(api_settings(database_url, tmp_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Ids no other test uses, since the session database is shared."""
    suffix = uuid.uuid4().hex[:10]
    return lambda prefix: f"{prefix}-{suffix}"

