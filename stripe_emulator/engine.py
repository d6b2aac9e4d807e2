"""The emulator: settings, state and its lock, persistence, timers, webhooks, faults, rate limits."""

from __future__ import annotations

import asyncio
import copy
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from stripe_emulator.context import Ctx
from stripe_emulator.faults import FaultInjector
from stripe_emulator.ratelimit import RateLimiter
from stripe_emulator.resources import webhook_endpoints
from stripe_emulator.scheduler import Scheduler
from stripe_emulator.settings import EmulatorSettings
from stripe_emulator.state import State
from stripe_emulator.storage import StateFile, all_rows, take_changes, verify
from stripe_emulator.webhooks import WebhookDispatcher

log = logging.getLogger(__name__)


@dataclass
class StartupEndpoint:
    """A webhook endpoint registered at start-up (`--webhook-url`), e.g. the service run by `make run`."""

    url: str
    events: list[str]
    secret: str | None = None
    secret_file: Path | None = None


class Emulator:
    """One emulated Stripe account; all state changes happen under `lock`."""

    def __init__(
        self,
        settings: EmulatorSettings,
        state_file: Path | None = None,
        startup_endpoint: StartupEndpoint | None = None,
        verify_state: bool = False,
    ) -> None:
        self.settings = settings
        self.initial_settings = copy.deepcopy(settings)
        self.state_file = StateFile(state_file) if state_file else None
        self.state = self.state_file.load() if self.state_file else State()
        self.startup_endpoint = startup_endpoint
        # Tests: after every commit, compare the database with memory (finds a change nobody marked).
        self.verify_state = verify_state
        # Tests: a JSON-lines file receiving every /v1 answer, which the schema test checks against Stripe's spec.
        self.record_responses: Path | None = None
        self.lock = asyncio.Lock()
        self.scheduler = Scheduler(self)
        self.webhooks = WebhookDispatcher(self)
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter()
        self._checkpoints: asyncio.Task | None = None
        self._commits = 0

    async def start(self) -> None:
        """Register the start-up endpoint, then resume deliveries and timers kept in the state file."""
        async with self.lock:
            await self._register_startup_endpoint()
        await self.webhooks.start()
        self.scheduler.resume_all()
        if self.state_file:
            self._checkpoints = asyncio.create_task(self._checkpoint_loop(), name="wal-checkpoints")

    async def stop(self) -> None:
        """Stop background work; pending timers and deliveries stay in state for the next start."""
        self.scheduler.cancel_all()
        await self.webhooks.stop()
        if self._checkpoints:
            self._checkpoints.cancel()
        async with self.lock:
            await self.persist()
            if self.state_file:
                self.state_file.close()

    async def persist(self, *, replace_all: bool = False) -> None:
        """Durably save the records changed since the last save (callers hold the lock, so saves never interleave).

        Only marked records are written, so the cost does not grow with the state; the caller answers only
        after this returns, i.e. after the change is fsync'd.
        """
        rows = all_rows(self.state) if replace_all else take_changes(self.state)
        if self.state_file is None or not (rows or replace_all):
            return
        await asyncio.to_thread(self.state_file.commit, rows, self.state.seq, replace_all=replace_all)
        self._commits += 1
        if self.verify_state:
            problems = await asyncio.to_thread(verify, self.state, self.state_file)
            if problems:
                log.error("saved state differs from memory", extra={"problems": problems[:20]})
                raise RuntimeError("saved state differs from memory: " + "; ".join(problems[:5]))

    async def _checkpoint_loop(self, interval: float = 1.0) -> None:
        """Fold the WAL into the database about once a second after writes, beside them rather than inside them."""
        assert self.state_file is not None
        done = 0
        while True:
            await asyncio.sleep(interval)
            if self._commits != done:
                done = self._commits
                try:
                    await asyncio.to_thread(self.state_file.checkpoint)
                except Exception:
                    log.exception("WAL checkpoint failed; will retry")

    def after_commit(self, ctx: Ctx) -> None:
        """Start the webhook deliveries and timers an operation created."""
        for delivery_id in ctx.new_deliveries:
            self.webhooks.launch(delivery_id)
        for job_id in ctx.new_jobs:
            self.scheduler.launch(job_id)

    async def reset(self) -> None:
        """Forget everything: objects, keys, timers, deliveries, faults, settings (back to the start-up values)."""
        self.scheduler.cancel_all()
        self.webhooks.cancel_all()
        self.webhooks.attempt_log.clear()
        self.faults.clear()
        self.rate_limiter.reset()
        async with self.lock:
            self.state = State()
            self.settings.__dict__.update(copy.deepcopy(self.initial_settings).__dict__)
            await self._register_startup_endpoint(save=False)
            await self.persist(replace_all=True)

    async def _register_startup_endpoint(self, *, save: bool = True) -> None:
        """Create the `--webhook-url` endpoint, or reuse the one with that URL (and its secret) from state."""
        spec = self.startup_endpoint
        if spec is None:
            return
        ctx = Ctx(self)
        existing = next((e for e in self.state.collection("webhook_endpoints").values() if e["url"] == spec.url), None)
        if existing is None:
            existing = webhook_endpoints.register(ctx, spec.url, spec.events, spec.secret, "Registered at start-up")
            log.info("webhook endpoint registered", extra={"endpoint": existing["id"], "url": spec.url})
        else:
            existing["enabled_events"] = spec.events
            existing["status"] = "enabled"
            if spec.secret:
                existing["_secret"] = spec.secret
            ctx.touch(existing)
            log.info("webhook endpoint reused", extra={"endpoint": existing["id"], "url": spec.url})
        spec.secret = existing["_secret"]
        if spec.secret_file:
            _write_secret(spec.secret_file, existing["_secret"])
            log.info("webhook signing secret written", extra={"path": str(spec.secret_file)})
        if save:
            await self.persist()


def _write_secret(path: Path, secret: str) -> None:
    """Write the signing secret readable by the owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    os.replace(tmp, path)
