"""SQLite writers take turns (in this process and across engines, as across processes); readers wait for none."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import Database


@pytest.fixture
def two_databases(tmp_path: Path):
    """Two engines on one SQLite file, as the API and the worker have: their only common lock is the file's."""
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    first, second = Database(url), Database(url)
    first.transact(lambda s: s.execute(text("CREATE TABLE log (who TEXT, at REAL)")))
    yield first, second
    first.dispose()
    second.dispose()


def _write(database: Database, who: str, hold: threading.Event | None = None, began: threading.Event | None = None):
    """One write transaction; with `hold`, it keeps its turn until the event is set."""

    def work(session) -> None:
        session.exec(text("INSERT INTO log VALUES (:who, :at)").bindparams(who=who, at=time.monotonic()))
        if began is not None:
            began.set()
        if hold is not None:
            assert hold.wait(10)

    database.transact(work)


def test_a_writer_waits_for_the_turn_and_a_reader_does_not(two_databases) -> None:
    api, worker = two_databases
    release, holding = threading.Event(), threading.Event()
    holder = threading.Thread(target=_write, args=(api, "holder", release, holding))
    holder.start()
    assert holding.wait(5)

    # A reader on the other engine answers at once, with what was committed before the writer began.
    with worker.session(read_only=True) as session:
        assert session.exec(text("SELECT count(*) FROM log")).one()[0] == 0
    waiter = threading.Thread(target=_write, args=(worker, "waiter"))
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive()  # queued behind the holder's turn, not failed with "database is locked"

    release.set()
    holder.join(5)
    waiter.join(5)
    with api.session(read_only=True) as session:
        rows = session.exec(text("SELECT who FROM log ORDER BY at")).all()
    assert [who for (who,) in rows] == ["holder", "waiter"]


def test_many_concurrent_writers_all_commit(two_databases) -> None:
    api, worker = two_databases
    threads = [threading.Thread(target=_write, args=((api, worker)[i % 2], f"w{i}")) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with api.session(read_only=True) as session:
        assert session.exec(text("SELECT count(*) FROM log")).one()[0] == 40
