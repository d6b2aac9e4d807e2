"""Connects the API to Temporal in the background, so the API serves (and reports) while Temporal starts."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client

from core.settings import Settings
from core.temporal import connect, signing_calls

log = logging.getLogger(__name__)


class TemporalLink:
    """Holds the one Temporal client of the API process once it is connected."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        # Workers refuse unsigned starts and updates, so whichever client we hold signs them.
        self.client = signing_calls(client, settings) if client is not None else None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Begin connecting (with retries) unless a client was given."""
        if self.client is None:
            self._task = asyncio.create_task(self._connect(), name="temporal-connect")

    async def _connect(self) -> None:
        """Retry until connected, then keep the client (never without the key: every call would be refused)."""
        if self.settings.actor_signing_key is None:
            log.error("not connecting to Temporal: ACTOR_SIGNING_KEY is not set, so workers would refuse every call")
            return
        # The API keeps serving (and /healthz says Temporal is down) however long Temporal takes to appear.
        self.client = signing_calls(await connect(self.settings, retry=True, give_up_after_s=None), self.settings)
        log.info("connected to Temporal", extra={"address": self.settings.temporal_address})

    async def stop(self) -> None:
        """Stop a pending connection attempt."""
        if self._task and not self._task.done():
            self._task.cancel()
