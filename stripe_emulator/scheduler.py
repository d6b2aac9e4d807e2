"""Timed transitions (a pending refund succeeds, a dispute opens...), kept in state so restarts resume them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stripe_emulator.context import Ctx
from stripe_emulator.ids import new_id

if TYPE_CHECKING:
    from stripe_emulator.engine import Emulator

log = logging.getLogger(__name__)

JobHandler = Callable[[Ctx, dict[str, Any]], None]
_HANDLERS: dict[str, JobHandler] = {}


def job(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that performs a kind of timed transition."""

    def register(func: JobHandler) -> JobHandler:
        _HANDLERS[kind] = func
        return func

    return register


def schedule(ctx: Ctx, kind: str, target: str, delay: float, **args: Any) -> str:
    """Record a transition due `delay` seconds from now; it starts once the change is saved."""
    job_id = new_id("job")
    ctx.state.jobs[job_id] = {"id": job_id, "kind": kind, "target": target, "due_at": time.time() + delay, **args}
    ctx.state.mark("jobs", job_id)
    ctx.new_jobs.append(job_id)
    return job_id


class Scheduler:
    """One asyncio task per pending job; a restart re-creates them with the time they have left."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.tasks: dict[str, asyncio.Task] = {}

    def launch(self, job_id: str) -> None:
        """Start waiting for a job recorded in state."""
        self.tasks[job_id] = asyncio.create_task(self._wait_and_run(job_id), name=f"job-{job_id}")

    def resume_all(self) -> None:
        """Start every job found in state (after loading a state file)."""
        for job_id in list(self.emu.state.jobs):
            self.launch(job_id)

    async def run_all_now(self) -> int:
        """Perform every pending job immediately, earliest first; returns how many ran."""
        count = 0
        while True:
            async with self.emu.lock:
                pending = sorted(self.emu.state.jobs.values(), key=lambda j: j["due_at"])
            if not pending:
                return count
            task = self.tasks.pop(pending[0]["id"], None)
            if task:
                task.cancel()
            await self._run(pending[0]["id"])
            count += 1

    def cancel_all(self) -> None:
        """Stop every waiting task (reset, shutdown)."""
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()

    async def _wait_and_run(self, job_id: str) -> None:
        """Sleep until the job is due, then perform it."""
        spec = self.emu.state.jobs.get(job_id)
        if spec is None:
            return
        await asyncio.sleep(max(0.0, spec["due_at"] - time.time()))
        self.tasks.pop(job_id, None)
        await self._run(job_id)

    async def _run(self, job_id: str) -> None:
        """Perform one job under the state lock, then save and start its side effects."""
        ctx = Ctx(self.emu)
        async with self.emu.lock:
            spec = self.emu.state.jobs.pop(job_id, None)
            if spec is None:
                return
            self.emu.state.mark("jobs", job_id)
            try:
                _HANDLERS[spec["kind"]](ctx, spec)
            except Exception:
                log.exception("timed transition failed", extra={"job": spec})
            await self.emu.persist()
        self.emu.after_commit(ctx)
