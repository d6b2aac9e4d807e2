"""The emulator: settings, state and its lock, persistence, timers, webhooks, faults, rate limits."""

from __future__ import annotations

import asyncio
import copy
import json
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
from stripe_emulator.state import State, StateFile
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
    ) -> None:
        self.settings = settings
        self.initial_settings = copy.deepcopy(settings)
        self.state_file = StateFile(state_file) if state_file else None
        self.state = self.state_file.load() if self.state_file else State()
        self.startup_endpoint = startup_endpoint
        self.lock = asyncio.Lock()
        self.scheduler = Scheduler(self)
        self.webhooks = WebhookDispatcher(self)
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter()

    async def start(self) -> None:
        """Register the start-up endpoint, then resume deliveries and timers kept in the state file."""
        async with self.lock:
            await self._register_startup_endpoint()
        await self.webhooks.start()
        self.scheduler.resume_all()

    async def stop(self) -> None:
        """Stop background work; pending timers and deliveries stay in state for the next start."""
        self.scheduler.cancel_all()
        await self.webhooks.stop()
        async with self.lock:
            await self.persist()

    async def persist(self) -> None:
        """Save the state file (callers hold the lock, so writes never interleave)."""
        if self.state_file:
            snapshot = json.dumps(self.state.to_json(), separators=(",", ":"))
            await asyncio.to_thread(self.state_file.save, snapshot)

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
            await self._register_startup_endpoint()
            await self.persist()

    async def _register_startup_endpoint(self) -> None:
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
            log.info("webhook endpoint reused", extra={"endpoint": existing["id"], "url": spec.url})
        spec.secret = existing["_secret"]
        if spec.secret_file:
            _write_secret(spec.secret_file, existing["_secret"])
            log.info("webhook signing secret written", extra={"path": str(spec.secret_file)})
        await self.persist()


def _write_secret(path: Path, secret: str) -> None:
    """Write the signing secret readable by the owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    os.replace(tmp, path)
