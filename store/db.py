"""Engines and sessions for SQLite (default) and PostgreSQL, with contention retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from core.retry import startup_retrying
from store.sqlite_writer import WriterQueue, queue_writers, take_turn

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: WAL and a busy timeout on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        writers = queue_writers(engine, Path(path)) if path and path != ":memory:" else None
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, writers))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and one writer work at once; foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # We issue BEGIN ourselves (below) instead of the driver's deferred one.
    dbapi_connection.isolation_level = None


# A session opened with this execution option only reads: it begins a deferred transaction, which in WAL mode
# neither waits for nor blocks the writer.
READ_ONLY = "refunds_read_only"


def _sqlite_begin(connection, writers: WriterQueue | None) -> None:
    """Take the write lock when a transaction starts: a deferred transaction that reads, then writes,
    fails at once with 'database is locked' if another writer committed in between (busy_timeout cannot help).
    Writers first wait for their turn (store.sqlite_writer); a read-only session begins deferred and waits for none."""
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    take_turn(connection, writers)
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def wait_for_database(engine: Engine) -> None:
    """Block until the database answers, logging while it does not."""
    for attempt in startup_retrying(f"database {engine.url.render_as_string(hide_password=True)}"):
        with attempt:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))


def _is_contention(error: BaseException) -> bool:
    """SQLite 'database is locked' and PostgreSQL serialization/deadlock failures are worth a retry."""
    if not isinstance(error, OperationalError):
        return False
    message = str(error.orig).lower()
    return "locked" in message or "deadlock" in message or "could not serialize" in message


# Contention is momentary; a few jittered retries are enough and keep requests fast.
retry_on_contention = retry(
    retry=retry_if_exception(_is_contention),
    wait=wait_random_exponential(multiplier=0.05, max=1),
    stop=stop_after_attempt(6),
    reraise=True,
)


class Database:
    """Owns the engine and hands out sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session that commits on success and rolls back on error; `read_only` ones never wait for a writer."""
        with Session(self.engine, expire_on_commit=False) as session:
            if read_only:
                session.connection(execution_options={READ_ONLY: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def transact(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction, retried when the database is momentarily contended."""

        @retry_on_contention
        def run() -> T:
            with self.session() as session:
                return work(session)

        return run()

    async def atransact(self, work: Callable[[Session], T]) -> T:
        """`transact` from async code, in a thread: the event loop never waits on a database lock."""
        return await asyncio.to_thread(self.transact, work)

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
