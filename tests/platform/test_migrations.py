"""Alembic migrations from nothing to head on SQLite and PostgreSQL: repeatable, concurrent, matching the tables."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import store.tables  # noqa: F401  (registers the tables on the metadata)
from core.settings import REPO_ROOT
from store.db import Database
from store.migrate import alembic_config, upgrade

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    create: Callable[[], str] = request.getfixturevalue("create_postgres_database")
    return create()


def _revision_and_tables(url: str) -> tuple[str | None, set[str]]:
    """The recorded Alembic revision and the table names."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            tables = set(inspect(connection).get_table_names())
    finally:
        database.dispose()
    return revision, tables


def test_upgrade_creates_the_schema_and_is_repeatable(empty_database_url: str) -> None:
    assert _revision_and_tables(empty_database_url) == (None, set())
    for _ in range(2):  # the second run finds nothing to do
        database = Database(empty_database_url)
        upgrade(database)
        database.dispose()
        revision, tables = _revision_and_tables(empty_database_url)
        assert revision == HEAD
        assert {"staff", "customers", "orders", "alembic_version"} <= tables


def test_migrated_schema_matches_the_table_models(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    upgrade(database)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        database.dispose()
    # Tables added by other features must come with a migration; this lists what is missing.
    assert differences == []


def _migrate_command(url: str) -> subprocess.Popen:
    """`python -m store.migrate` against `url`."""
    env = os.environ | {"DATABASE_URL": url, "LOG_FORMAT": "text"}
    return subprocess.Popen(
        [sys.executable, "-m", "store.migrate"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_migrate_command(empty_database_url: str) -> None:
    process = _migrate_command(empty_database_url)
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 0, output
    assert "database schema is current" in output
    assert _revision_and_tables(empty_database_url)[0] == HEAD


def test_processes_migrating_at_once(empty_database_url: str) -> None:
    # API replicas starting together: an advisory lock (PostgreSQL) or a file lock (SQLite) lets one
    # migrate while the others wait and then find the schema current.
    url = empty_database_url
    processes = [_migrate_command(url) for _ in range(3)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert _revision_and_tables(url)[0] == HEAD


def test_orders_sharing_a_payment_stop_the_upgrade_naming_it(empty_database_url: str) -> None:
    # One payment, one order (issue 11, item 5): a migration cannot tell which order a shared payment paid.
    database = Database(empty_database_url)
    config = alembic_config(empty_database_url)
    try:
        command.upgrade(config, "0010")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO customers (customer_id, email, restricted, created_at, updated_at) "
                    "VALUES ('cus-1', 'a@example.com', false, '2025-03-01', '2025-03-01')"
                )
            )
            for order_id in ("ord-3002", "ord-4002"):
                connection.execute(
                    text("INSERT INTO orders (order_id, customer_id, customer_email, plan_months, amount_minor, "
                         "currency, payment_intent_id, paid_at, locale, status, created_at, updated_at) VALUES "
                         "(:order_id, 'cus-1', 'a@example.com', 12, 11988, 'eur', 'pi_shared', '2025-03-01', 'en', "
                         "'paid', '2025-03-01', '2025-03-01')"),
                    {"order_id": order_id},
                )  # fmt: skip
        with pytest.raises(RuntimeError, match=r"pi_shared \(2 orders\)"):
            command.upgrade(config, "head")
    finally:
        database.dispose()
    assert _revision_and_tables(empty_database_url)[0] == "0010"
