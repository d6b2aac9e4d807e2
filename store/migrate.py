"""Apply Alembic migrations programmatically (at service start and in tests)."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from store.db import Database, wait_for_database

log = logging.getLogger(__name__)
MIGRATION_LOCK_KEY = 0x5EF0_0D01  # any constant shared by every process of this service
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database) -> None:
    """Bring the schema to the latest revision, waiting for the database first."""
    wait_for_database(database.engine)
    with _sqlite_migration_lock(database):
        _upgrade(database)


@contextmanager
def _sqlite_migration_lock(database: Database) -> Iterator[None]:
    """Two processes migrating one SQLite file at once would race: a file lock beside it lets one go first."""
    path = database.engine.url.database
    if database.engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _upgrade(database: Database) -> None:
    """Run Alembic's upgrade to head in one transaction."""
    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several API replicas may start at once; one migrates, the others wait and find it done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("database schema is current", extra={"database": database.engine.url.render_as_string(hide_password=True)})


def main() -> None:
    """`python -m store.migrate`: upgrade the database named by DATABASE_URL."""
    from core.logs import configure_logging
    from core.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    database = Database(settings.database_url)
    try:
        upgrade(database)
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
