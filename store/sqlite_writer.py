"""One writer at a time on a SQLite file, queued instead of polling.

SQLite allows one write transaction; a second one waits in SQLite's busy handler, which sleeps in growing steps
(up to 100 ms) while the lock is usually held for about a millisecond. Waiting here instead wakes at once: threads
of one process queue on a lock, and processes (the API, the worker) on an `flock` of a file next to the database,
which the kernel hands to the next waiter the moment it is released. The turn is taken when a write transaction
begins and given back when it commits or rolls back (engine events, so any thread may end it).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

# As long as SQLite's own busy timeout: past it, the transaction goes ahead and SQLite's lock decides.
TURN_TIMEOUT_S = 30.0
_HOLDS_TURN = "refunds_writer_turn"


class WriterQueue:
    """The right to write to one SQLite file, for threads of this process and for other processes."""

    def __init__(self, database_path: Path) -> None:
        self._path = database_path.with_name(database_path.name + ".writer-lock")
        self._threads = threading.Lock()  # not thread-owned: a transaction may end on another thread
        self._fd: int | None = None

    def take(self) -> bool:
        """Wait for the turn; False when it did not come in time (the caller then relies on SQLite's lock)."""
        if not self._threads.acquire(timeout=TURN_TIMEOUT_S):
            log.warning("waited %.0f s for the SQLite writer's turn; going ahead", TURN_TIMEOUT_S)
            return False
        try:
            # Opened per turn (microseconds): no file stays open for engines that are long disposed.
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:
            self._close()
            self._threads.release()
            raise
        return True

    def give_back(self) -> None:
        """End the turn: the next waiter, in this process or another, goes."""
        self._close()  # closing the file releases the flock
        self._threads.release()

    def _close(self) -> None:
        """Close the lock file if open."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def queue_writers(engine: Engine, database_path: Path) -> WriterQueue:
    """Make write transactions on `engine` take turns; answers the queue (to close with the engine)."""
    queue = WriterQueue(database_path)

    def committing(connection) -> None:
        if not connection.info.pop(_HOLDS_TURN, False):
            return
        try:
            # Commit here, then give the turn back: the next writer must not find SQLite's lock still held. The
            # driver's own commit that follows finds no transaction and does nothing (it runs in autocommit mode).
            connection.exec_driver_sql("COMMIT")
        finally:
            queue.give_back()

    def rolling_back(connection) -> None:
        if connection.info.pop(_HOLDS_TURN, False):
            queue.give_back()

    event.listen(engine, "commit", committing)
    event.listen(engine, "rollback", rolling_back)
    return queue


def take_turn(connection, queue: WriterQueue | None) -> None:
    """Called as a write transaction begins: wait for the turn and remember to give it back."""
    if queue is not None and not connection.info.get(_HOLDS_TURN):
        connection.info[_HOLDS_TURN] = queue.take()
