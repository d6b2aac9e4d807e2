"""Fixtures of the store tests: a migrated database on SQLite and on PostgreSQL (TEST_POSTGRES_URL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store.db import Database
from store.migrate import upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database migrated to head, on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'refunds.db'}"
    else:
        create: Callable[[], str] = request.getfixturevalue("create_postgres_database")
        url = create()
    db = Database(url)
    upgrade(db)
    yield db
    db.dispose()
