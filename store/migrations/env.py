"""Alembic environment: our SQLModel metadata, batch mode for SQLite's limited ALTER TABLE."""

from alembic import context
from sqlmodel import SQLModel

import store.dispute_tables  # noqa: F401  (registers every table on the metadata)
import store.refund_tables  # noqa: F401
import store.shop_event_tables  # noqa: F401
import store.tables  # noqa: F401
from store.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    from core.settings import get_settings

    url = get_settings().database_url


def run_migrations() -> None:
    """Apply migrations on a connection, or reuse the one the caller passed in."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    """Configure the context and run."""
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
