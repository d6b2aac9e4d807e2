"""Notification test fixtures: a migrated database per test (SQLite, or PostgreSQL if available) and an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_support import SmtpServer, free_port

from store.db import Database
from store.migrate import upgrade


def _migrated(url: str) -> Database:
    """A Database at the latest schema."""
    database = Database(url)
    upgrade(database)
    return database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file for this test."""
    return f"sqlite:///{tmp_path / 'outbox.db'}"


@pytest.fixture
def postgres_url(create_postgres_database) -> str:
    """A fresh PostgreSQL database for this test (TEST_POSTGRES_URL; skipped with the reason when unset)."""
    return create_postgres_database()


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    """A migrated SQLite database (the embedded stack's backend)."""
    database = _migrated(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL on each backend in turn."""
    url = request.getfixturevalue(f"{request.param}_url")
    _migrated(url).dispose()
    return url


@pytest.fixture
def any_db(any_db_url: str) -> Iterator[Database]:
    """A migrated database on each backend in turn."""
    database = Database(any_db_url)
    yield database
    database.dispose()


@pytest.fixture
def smtp_port() -> int:
    """A port for the SMTP server (free when the test starts)."""
    return free_port()


@pytest.fixture
def smtp_server(tmp_path: Path, smtp_port: int) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd), started; the test may stop and restart it."""
    server = SmtpServer(tmp_path / "mail", smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server(tmp_path: Path, smtp_port: int) -> Iterator[SmtpServer]:
    """The same server, not started yet: the port refuses connections until the test starts it."""
    server = SmtpServer(tmp_path / "mail", smtp_port)
    yield server
    server.stop()
