"""The emulator's data: Stripe objects, idempotency records, timers, pending webhook deliveries."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FORMAT = 1

# ID prefix -> collection name and the noun Stripe uses in "No such <noun>" errors.
PREFIXES: dict[str, tuple[str, str]] = {
    "cus": ("customers", "customer"),
    "pm": ("payment_methods", "PaymentMethod"),
    "pi": ("payment_intents", "payment_intent"),
    "ch": ("charges", "charge"),
    "re": ("refunds", "refund"),
    "dp": ("disputes", "dispute"),
    "txn": ("balance_transactions", "balance transaction"),
    "evt": ("events", "event"),
    "we": ("webhook_endpoints", "webhook endpoint"),
}
COLLECTIONS = tuple(name for name, _ in PREFIXES.values())


@dataclass
class State:
    """Everything that survives a restart when a state file is used."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {c: {} for c in COLLECTIONS})
    # "<api key hash>:<idempotency key>" -> {method, path, fingerprint, status, body, headers, created}
    idempotency: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Timed transitions (refund settles/fails, dispute opens/closes): id -> {kind, target, due_at}
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Webhook deliveries not yet acknowledged: id -> {event, endpoint, attempts, next_at}
    deliveries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Insertion counter that orders objects created in the same second.
    seq: int = 0

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        """Objects of one type by ID."""
        return self.objects[name]

    def next_seq(self) -> int:
        """A strictly increasing number for list ordering."""
        self.seq += 1
        return self.seq

    def to_json(self) -> dict[str, Any]:
        """Serialisable form."""
        return {
            "format": STATE_FORMAT,
            "objects": self.objects,
            "idempotency": {k: v for k, v in self.idempotency.items() if v.get("status") is not None},
            "jobs": self.jobs,
            "deliveries": self.deliveries,
            "seq": self.seq,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Rebuild from `to_json` output."""
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"Unsupported state file format {data.get('format')!r}")
        objects = {c: dict(data.get("objects", {}).get(c, {})) for c in COLLECTIONS}
        return cls(
            objects=objects,
            idempotency=dict(data.get("idempotency", {})),
            jobs=dict(data.get("jobs", {})),
            deliveries=dict(data.get("deliveries", {})),
            seq=int(data.get("seq", 0)),
        )


def collection_for(object_id: str) -> tuple[str, str] | None:
    """The collection and noun for an ID, from its prefix."""
    prefix = object_id.split("_", 1)[0]
    return PREFIXES.get(prefix)


class StateFile:
    """A JSON file written atomically (temporary file + rename) after each change."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> State:
        """The saved state, or an empty one when the file does not exist yet."""
        if not self.path.exists():
            return State()
        with self.path.open(encoding="utf-8") as handle:
            state = State.from_json(json.load(handle))
        log.info("state loaded", extra={"path": str(self.path), "objects": sum(map(len, state.objects.values()))})
        return state

    def save(self, snapshot: str) -> None:
        """Write serialised state so a crash leaves either the old or the new file, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(snapshot)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
