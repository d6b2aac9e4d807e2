"""The state file: an SQLite database (WAL) with one row per record, where each commit writes only what changed.

Why SQLite rather than an append-only journal: a commit is one WAL append plus one fsync, like a journal, but
compaction (WAL checkpoints into the main file) is incremental and built in, a commit of several rows is atomic
without framing or checksums of our own, and a torn last write after SIGKILL is discarded by SQLite's own
recovery. It is in the standard library, so no new dependency. `synchronous=FULL` makes every commit durable
(fsync'd) before the emulator answers, so an acknowledged write survives SIGKILL and power loss alike.

The whole state is still held in memory (as before) and read once at start; the database is its durable mirror.
A state file written by earlier versions (one JSON document) is migrated once, in place, keeping a backup.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stripe_emulator.state import COLLECTIONS, RECORD_TABLES, State

log = logging.getLogger(__name__)

STORAGE_FORMAT = 2
TABLES = (*COLLECTIONS, *RECORD_TABLES)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tbl  TEXT NOT NULL,
    id   TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tbl, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_UPSERT = (
    "INSERT INTO records (tbl, id, body) VALUES (?, ?, ?) ON CONFLICT (tbl, id) DO UPDATE SET body = excluded.body"
)
_DELETE = "DELETE FROM records WHERE tbl = ? AND id = ?"
_SET_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"

# A change to write: (table, key, JSON body), body None meaning "delete".
Row = tuple[str, str, str | None]


def _dumps(record: dict[str, Any]) -> str:
    """Compact JSON for one record."""
    return json.dumps(record, separators=(",", ":"))


def take_changes(state: State) -> list[Row]:
    """The rows for every record marked dirty since the last call; in-flight idempotency records are not saved."""
    rows: list[Row] = []
    for table, key in state.dirty:
        record = state.records(table).get(key)
        if table == "idempotency" and record is not None and record.get("status") is None:
            record = None
        rows.append((table, key, None if record is None else _dumps(record)))
    state.dirty.clear()
    return rows


def all_rows(state: State) -> list[Row]:
    """Rows for the whole state (reset, migration)."""
    state.dirty.clear()
    rows: list[Row] = []
    for table in TABLES:
        for key, record in state.records(table).items():
            if table == "idempotency" and record.get("status") is None:
                continue
            rows.append((table, key, _dumps(record)))
    return rows


class StateFile:
    """The SQLite state database at `path`; callers serialise access (the emulator's lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        legacy = _legacy_state(path)
        if legacy is not None:
            _migrate(path, legacy)
        self.conn = _connect(path)
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_lock = threading.Lock()

    def load(self) -> State:
        """The saved state (empty for a new file), then frozen out of the garbage collector's sight.

        Without that, every full collection walks the millions of dicts of a large state: pauses of
        hundreds of milliseconds in the middle of writes, and a load several times slower.
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._load()
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    def _load(self) -> State:
        """Read every row into a State."""
        data: dict[str, dict[str, Any]] = {t: {} for t in TABLES}
        for table, key, body in self.conn.execute("SELECT tbl, id, body FROM records"):
            if table in data:
                data[table][key] = json.loads(body)
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        # Insertion order matters to nobody for correctness, but keeps endpoint and list tie order as before.
        objects = {c: dict(sorted(data[c].items(), key=lambda kv: kv[1]["_seq"])) for c in COLLECTIONS}
        state = State(
            objects=objects,
            idempotency=data["idempotency"],
            jobs=data["jobs"],
            deliveries=data["deliveries"],
            seq=int(meta.get("seq", 0)),
        )
        log.info("state loaded", extra={"path": str(self.path), "objects": sum(map(len, objects.values()))})
        return state

    def commit(self, rows: Iterable[Row], seq: int, *, replace_all: bool = False) -> None:
        """Write changed rows (and the sequence counter) in one durable transaction."""
        upserts, deletes = [], []
        for table, key, body in rows:
            if body is None:
                deletes.append((table, key))
            else:
                upserts.append((table, key, body))
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                conn.execute("DELETE FROM records")
            conn.executemany(_DELETE, deletes)
            conn.executemany(_UPSERT, upserts)
            conn.execute(_SET_META, ("seq", str(seq)))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the database without blocking writers (runs beside them, own connection).

        Commits never checkpoint themselves (`wal_autocheckpoint=0`), so no write pays for compaction.
        """
        with self._checkpoint_lock:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Checkpoint the WAL into the database and close."""
        with self._checkpoint_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
        self.conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode with durable commits, the schema created."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: each commit fsyncs the WAL, so an answered write is on disk.
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    format_row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    if format_row is None:
        conn.execute(_SET_META, ("format", str(STORAGE_FORMAT)))
    elif int(format_row[0]) != STORAGE_FORMAT:
        raise ValueError(f"Unsupported state file format {format_row[0]} in {path}")
    return conn


def _legacy_state(path: Path) -> State | None:
    """The state of a version-1 JSON state file at `path`, or None when it is not one."""
    try:
        with path.open("rb") as handle:
            if handle.read(1) != b"{":
                return None
            handle.seek(0)
            data = json.load(handle)
    except FileNotFoundError:
        return None
    return State.from_json(data)


def _migrate(path: Path, state: State) -> None:
    """Replace a JSON state file by a database holding the same state; the JSON is kept as `*.v1-backup.json`.

    A crash at any point leaves either the JSON file (migrated again on the next start) or the complete database.
    """
    building = path.with_name(path.name + ".migrating")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    conn = _connect(building)
    target = StateFile.__new__(StateFile)
    target.path, target.conn = building, conn
    target.commit(all_rows(state), state.seq)
    conn.execute("PRAGMA journal_mode=DELETE")  # folds the WAL into the file so one rename moves it all
    conn.close()
    backup = path.with_name(path.stem + ".v1-backup.json")
    backup.unlink(missing_ok=True)
    os.link(path, backup)
    os.replace(building, path)
    _fsync_dir(path.parent)
    log.info("state file migrated to SQLite", extra={"path": str(path), "backup": str(backup)})


def _fsync_dir(directory: Path) -> None:
    """Make renames in a directory durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify(state: State, store: StateFile) -> list[str]:
    """Differences between memory and the database (checks that every change was marked); empty when equal."""
    saved = store.load()
    problems = []
    for table in TABLES:
        mine = {
            k: v for k, v in state.records(table).items() if not (table == "idempotency" and v.get("status") is None)
        }
        theirs = saved.records(table)
        for key in sorted(set(mine) | set(theirs)):
            left = json.loads(_dumps(mine[key])) if key in mine else None
            if left != theirs.get(key):
                problems.append(f"{table}/{key}: memory {left!r} != saved {theirs.get(key)!r}")
    if saved.seq != state.seq:
        problems.append(f"seq: memory {state.seq} != saved {saved.seq}")
    if (
        saved.index != state.index
        or saved.order != state.order
        or saved.deliveries_by_endpoint != state.deliveries_by_endpoint
    ):
        problems.append("indexes differ from ones rebuilt from the saved state")
    return problems
