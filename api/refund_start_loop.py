"""The API's background loop that starts refunds recorded while Temporal did not answer (services/refund_starts.py)."""

from __future__ import annotations

import asyncio
import logging

from api.temporal_link import TemporalLink
from core.settings import Settings
from services.refund_starts import start_waiting
from store.db import Database

log = logging.getLogger(__name__)


class WaitingStartsLoop:
    """Runs `start_waiting` every third of the grace period while the API runs."""

    def __init__(self, database: Database, link: TemporalLink, settings: Settings) -> None:
        self.database, self.link, self.settings = database, link, settings
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Begin the loop in the background."""
        self._task = asyncio.create_task(self._run(), name="refund-start-recovery")

    async def _run(self) -> None:
        interval = max(self.settings.refund_start_grace.total_seconds() / 3, 0.5)
        while True:
            await asyncio.sleep(interval)
            if self.link.client is None:
                continue  # not connected yet: nothing can start
            try:
                await start_waiting(self.database, self.link.client, self.settings)
            except Exception:  # a database hiccup must not end the loop for the life of the process
                log.exception("refund start recovery failed; trying again")

    async def stop(self) -> None:
        """Stop the loop."""
        if self._task:
            self._task.cancel()
