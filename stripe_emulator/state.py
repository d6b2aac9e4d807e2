"""The emulator's data: Stripe objects, idempotency records, timers, pending webhook deliveries, and their indexes.

Every change goes through a method here (or `mark`), which records the changed key in `dirty`: the storage
layer then writes only those records, so a write costs the same with ten objects or a million.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

LEGACY_FORMAT = 1

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
    "issfr": ("early_fraud_warnings", "early fraud warning"),
}
COLLECTIONS = tuple(name for name, _ in PREFIXES.values())
# Records that are not Stripe objects, each a table of its own in storage.
RECORD_TABLES = ("idempotency", "jobs", "deliveries")
# Fields the list filters use: collection -> fields, each with an index value -> IDs (in insertion order).
INDEXED_FIELDS: dict[str, tuple[str, ...]] = {
    "refunds": ("charge", "payment_intent"),
    "charges": ("payment_intent", "customer"),
    "disputes": ("charge", "payment_intent"),
    "payment_intents": ("customer",),
    "customers": ("email",),
    "early_fraud_warnings": ("charge", "payment_intent"),
}

# A list position: Stripe orders lists newest first, `_seq` breaking ties within a second.
OrderKey = tuple[int, int, str]


def order_key(obj: dict[str, Any]) -> OrderKey:
    """Where an object sorts in lists (ascending; lists read it backwards)."""
    return (obj["created"], obj["_seq"], obj["id"])


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
    # (table, key) changed since the last save; table is a collection name or one of RECORD_TABLES.
    dirty: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.order: dict[str, list[OrderKey]] = {
            c: sorted(map(order_key, self.objects[c].values())) for c in COLLECTIONS
        }
        self.index: dict[tuple[str, str], dict[Any, dict[str, None]]] = {}
        self._indexed: dict[tuple[str, str], dict[str, Any]] = {}
        for collection, fields in INDEXED_FIELDS.items():
            for name in fields:
                self.index[(collection, name)], self._indexed[(collection, name)] = {}, {}
            for obj in self.objects[collection].values():
                self._reindex(collection, obj)
        self.deliveries_by_endpoint: dict[str, dict[str, None]] = {}
        for delivery in self.deliveries.values():
            self.deliveries_by_endpoint.setdefault(delivery["endpoint"], {})[delivery["id"]] = None

    # ---- Stripe objects

    def collection(self, name: str) -> dict[str, dict[str, Any]]:
        """Objects of one type by ID (read only: change them through `put`, `changed`, `remove`)."""
        return self.objects[name]

    def next_seq(self) -> int:
        """A strictly increasing number for list ordering."""
        self.seq += 1
        return self.seq

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace an object in its collection."""
        collection = collection_of(obj["id"])
        if "_seq" not in obj:
            obj["_seq"] = self.next_seq()
        items = self.objects[collection]
        previous = items.get(obj["id"])
        if previous is not None and order_key(previous) != order_key(obj):
            self._unorder(collection, previous)
            previous = None
        items[obj["id"]] = obj
        if previous is None:
            bisect.insort(self.order[collection], order_key(obj))
        self.changed(obj)
        return obj

    def changed(self, obj: dict[str, Any]) -> None:
        """Record that a stored object was modified in place (it is saved, and its index entries follow it)."""
        collection = collection_of(obj["id"])
        self.dirty.add((collection, obj["id"]))
        if collection in INDEXED_FIELDS:
            self._reindex(collection, obj)

    def remove(self, object_id: str) -> None:
        """Delete an object."""
        collection = collection_of(object_id)
        obj = self.objects[collection].pop(object_id, None)
        if obj is None:
            return
        self._unorder(collection, obj)
        for name in INDEXED_FIELDS.get(collection, ()):
            self._unindex(collection, name, object_id)
        self.dirty.add((collection, object_id))

    def ordered(self, collection: str) -> list[OrderKey]:
        """All of a collection's list positions, ascending (do not modify)."""
        return self.order[collection]

    def where(self, collection: str, name: str, value: Any) -> list[dict[str, Any]]:
        """Objects whose indexed field `name` equals `value`, in insertion order."""
        items = self.objects[collection]
        return [items[i] for i in self.index[(collection, name)].get(value, ())]

    def _reindex(self, collection: str, obj: dict[str, Any]) -> None:
        """Move an object's index entries to its current field values."""
        for name in INDEXED_FIELDS[collection]:
            key, value = (collection, name), obj.get(name)
            known = self._indexed[key]
            if obj["id"] in known and known[obj["id"]] == value:
                continue
            self._unindex(collection, name, obj["id"])
            if value is not None:
                self.index[key].setdefault(value, {})[obj["id"]] = None
                known[obj["id"]] = value

    def _unindex(self, collection: str, name: str, object_id: str) -> None:
        """Drop an object from one index."""
        key = (collection, name)
        if object_id not in self._indexed[key]:
            return
        value = self._indexed[key].pop(object_id)
        bucket = self.index[key][value]
        bucket.pop(object_id, None)
        if not bucket:
            del self.index[key][value]

    def _unorder(self, collection: str, obj: dict[str, Any]) -> None:
        """Drop an object's list position."""
        keys, key = self.order[collection], order_key(obj)
        at = bisect.bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            del keys[at]

    # ---- idempotency records, jobs, deliveries

    def mark(self, table: str, key: str) -> None:
        """Record that an idempotency record, job or delivery was added, modified in place or deleted."""
        self.dirty.add((table, key))

    def put_delivery(self, delivery: dict[str, Any]) -> None:
        """Queue a webhook delivery."""
        self.deliveries[delivery["id"]] = delivery
        self.deliveries_by_endpoint.setdefault(delivery["endpoint"], {})[delivery["id"]] = None
        self.mark("deliveries", delivery["id"])

    def drop_delivery(self, delivery_id: str) -> None:
        """Forget a finished or abandoned delivery."""
        delivery = self.deliveries.pop(delivery_id, None)
        if delivery is not None:
            bucket = self.deliveries_by_endpoint.get(delivery["endpoint"], {})
            bucket.pop(delivery_id, None)
            if not bucket:
                self.deliveries_by_endpoint.pop(delivery["endpoint"], None)
        self.mark("deliveries", delivery_id)

    def deliveries_of(self, endpoint_id: str) -> list[str]:
        """IDs of the pending deliveries to one endpoint."""
        return list(self.deliveries_by_endpoint.get(endpoint_id, ()))

    # ---- whole-state forms (legacy JSON files, checks)

    def records(self, table: str) -> dict[str, dict[str, Any]]:
        """The records of one storage table: a collection, or idempotency/jobs/deliveries."""
        return self.objects[table] if table in self.objects else getattr(self, table)

    def to_json(self) -> dict[str, Any]:
        """The legacy single-file form (format 1); in-flight idempotency records are left out."""
        return {
            "format": LEGACY_FORMAT,
            "objects": self.objects,
            "idempotency": {k: v for k, v in self.idempotency.items() if v.get("status") is not None},
            "jobs": self.jobs,
            "deliveries": self.deliveries,
            "seq": self.seq,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Rebuild from a legacy single-file state (`to_json` output)."""
        if data.get("format") != LEGACY_FORMAT:
            raise ValueError(f"Unsupported state file format {data.get('format')!r}")
        objects = {c: dict(data.get("objects", {}).get(c, {})) for c in COLLECTIONS}
        return cls(
            objects=objects,
            idempotency=dict(data.get("idempotency", {})),
            jobs=dict(data.get("jobs", {})),
            deliveries=dict(data.get("deliveries", {})),
            seq=int(data.get("seq", 0)),
        )


def collection_of(object_id: str) -> str:
    """The collection of a stored object's ID (every stored ID has a known prefix)."""
    found = collection_for(object_id)
    if found is None:
        raise KeyError(f"no collection holds objects with the id {object_id!r}")
    return found[0]


def collection_for(object_id: str) -> tuple[str, str] | None:
    """The collection and noun for an ID, from its prefix."""
    prefix = object_id.split("_", 1)[0]
    return PREFIXES.get(prefix)
