"""What an operation needs: the state, the clock, the request that caused it, and its side effects."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stripe_emulator.errors import no_such
from stripe_emulator.state import collection_for

if TYPE_CHECKING:
    from stripe_emulator.engine import Emulator


@dataclass
class Ctx:
    """One API request or timed transition; side effects are started once its changes are saved."""

    emu: Emulator
    request_id: str | None = None
    idempotency_key: str | None = None
    now: int = field(default_factory=lambda: int(time.time()))
    # Webhook delivery IDs started once the change is saved.
    new_deliveries: list[str] = field(default_factory=list)
    # Job IDs to schedule after the change is saved.
    new_jobs: list[str] = field(default_factory=list)

    @property
    def state(self):
        """The emulator's state."""
        return self.emu.state

    @property
    def settings(self):
        """The emulator's current settings."""
        return self.emu.settings

    def store(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace an object in its collection."""
        return self.state.put(obj)

    def find(self, object_id: str | None) -> dict[str, Any] | None:
        """An object by ID, or None."""
        if not object_id:
            return None
        kind = collection_for(object_id)
        return self.state.collection(kind[0]).get(object_id) if kind else None

    def get(self, collection: str, object_id: str, *, noun: str, param: str = "id", status: int = 404) -> dict:
        """An object of one collection, or Stripe's resource_missing error."""
        obj = self.state.collection(collection).get(object_id)
        if obj is None:
            raise no_such(noun, object_id, param=param, status=status)
        return obj

    def touch(self, *objs: dict[str, Any]) -> None:
        """Mark stored objects changed in place (after the change: they are saved and re-indexed)."""
        for obj in objs:
            self.state.changed(obj)

    def delete(self, object_id: str) -> None:
        """Remove a stored object."""
        self.state.remove(object_id)
