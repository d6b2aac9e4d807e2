"""Starts the parts in order, watches them, and stops them in reverse on Ctrl-C, SIGTERM or a child's death."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from devstack.banner import render_banner
from devstack.children import Child
from devstack.config import LOOPBACK, StackConfig, StackConfigError
from devstack.parts import CHILD_CWD, Part, StackContext, Step, plan
from devstack.readiness import ChildExited, StackFailure, busy_ports

log = logging.getLogger("devstack")


class Supervisor:
    """Owns the children; `run()` returns the process exit code."""

    def __init__(self, config: StackConfig, steps: list[Part | Step] | None = None) -> None:
        self.config = config
        self.steps = steps if steps is not None else plan()
        self.context = StackContext(config=config)
        self.children: list[Child] = []
        self._signals = 0
        self._main: asyncio.Task | None = None

    async def run(self) -> int:
        """Start everything, serve until told to stop or something dies, then stop everything."""
        self._main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            self._check_ports()
            await self._start_all()
            sys.stdout.write(render_banner(self.config, self.steps))  # the banner is the UI, not a log line
            sys.stdout.flush()
            await self._watch()  # returns only by raising ChildExited
            return 1
        except asyncio.CancelledError:
            if self._signals == 0:
                raise
            if self._main is not None:
                self._main.uncancel()
            return 0
        except (StackFailure, StackConfigError) as failure:
            log.error(str(failure))
            return 1
        finally:
            await self._stop_all()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        """First signal: stop in order. Second: stop without waiting."""
        self._signals += 1
        if self._signals == 1:
            log.info(f"received {sig.name}: stopping the stack (again to stop at once)")
            assert self._main is not None
            self._main.cancel()
        else:
            log.warning(f"received {sig.name} again: killing the remaining parts now")
            for child in self.children:
                child.kill()

    def _check_ports(self) -> None:
        """Refuse to start when a port is taken, before starting anything."""
        busy = busy_ports(self.config.ports(), LOOPBACK)
        if busy:
            raise StackFailure(
                f"port {', '.join(busy)} already in use on {LOOPBACK}; is another `make run` running? "
                "Stop it, or choose other ports with those variables."
            )

    async def _start_all(self) -> None:
        """Run each step in order, waiting until each child answers before starting the next."""
        self.config.var_dir.mkdir(parents=True, exist_ok=True)
        for step in self.steps:
            if isinstance(step, Step):
                log.info(f"running {step.name}")
                await step.run(self.context)
                continue
            env = self.config.child_env() | self.context.exports
            child = Child(step.name, step.command(self.context), env, CHILD_CWD, self.config.logs_dir)
            self.children.append(child)
            await child.start()
            await step.ready(self.context, child)

    async def _watch(self) -> None:
        """Return when any child exits, after saying which one and why."""
        exits = {child.exited: child for child in self.children if child.exited}
        done, _pending = await asyncio.wait(exits, return_when=asyncio.FIRST_COMPLETED)
        child = exits[next(iter(done))]
        raise ChildExited(child, "unexpectedly")

    async def _stop_all(self) -> None:
        """Stop children in reverse start order; a second signal skips the grace period."""
        parts = {step.name: step for step in self.steps if isinstance(step, Part)}
        for child in reversed(self.children):
            part = parts[child.name]
            timeout = 0.0 if self._signals > 1 else part.stop_timeout_s
            await child.stop(timeout, quiet=part.quiet_on_stop)
        if self.children:
            log.info("all parts stopped")
