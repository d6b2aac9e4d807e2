"""The parts started separately on free loopback ports, each its own process we own by PID, killable one by one."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from core.settings import Settings
from devstack.children import Child
from devstack.config import StackConfig
from devstack.parts import API, CHILD_CWD, MIGRATIONS, STRIPE_EMULATOR, TEMPORAL, WORKER, Part, StackContext

WORKERS = ("worker-1", "worker-2")
STOP_TIMEOUT_S = 10.0


def free_ports(count: int) -> list[int]:
    """Distinct ports nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def stack_config(var_dir: Path, database_url: str | None) -> StackConfig:
    """Ports and files of a chaos stack: everything under `var_dir`, nothing shared with `make run`."""
    temporal, ui, emulator, api, smtp, metrics = free_ports(6)
    settings = Settings(
        var_dir=var_dir,
        database_url=database_url or "",
        temporal_address=f"127.0.0.1:{temporal}",
        temporal_ui_url=f"http://127.0.0.1:{ui}",
        stripe_api_base=f"http://127.0.0.1:{emulator}",
        api_port=api,
        public_api_url=f"http://127.0.0.1:{api}",
        smtp_url=f"smtp://127.0.0.1:{smtp}",  # only to satisfy StackConfig; the children get SMTP_URL=""
        worker_metrics_address=f"127.0.0.1:{metrics}",
        dev_tokens=True,
    )
    return StackConfig.from_settings(settings)


class ChaosStack:
    """Temporal, the emulator, migrations, the API and two workers; `stop_all()` ends exactly these processes."""

    def __init__(
        self,
        config: StackConfig,
        emulator_flags: list[str],
        extra_env: dict[str, str],
        workers: tuple[str, ...] = WORKERS,
    ) -> None:
        self.config = config
        self.workers = workers
        self.ctx = StackContext(config=config)
        self.emulator_flags = emulator_flags
        self.extra_env = extra_env
        self.children: dict[str, Child] = {}

    # ---- lifecycle ----

    async def start_all(self) -> None:
        """Start every part in `make run`'s order, each waited for before the next."""
        self.config.var_dir.mkdir(parents=True, exist_ok=True)
        await self.start("temporal")
        await self.start("stripe")
        await MIGRATIONS.run(self.ctx)
        for name in self.workers:
            await self.start(name)
        await self.start("api")

    async def start(self, name: str) -> Child:
        """Start (or restart) one part and wait until it is ready."""
        part = self._part(name)
        command = part.command(self.ctx)
        if name == "stripe":
            command += self.emulator_flags
        env = self.config.child_env() | self.ctx.exports | self.extra_env
        # No SMTP sink and no metrics port: two workers would fight over one, and neither is under test.
        env |= {"SMTP_URL": "", "WORKER_METRICS_ADDRESS": "", "LOG_FORMAT": "text"}
        child = Child(name, command, env, CHILD_CWD, self.config.logs_dir)
        child.forward_to_console = False  # the report is the console; each part logs to VAR_DIR/logs/<name>.log
        self.children[name] = child
        await child.start()
        await part.ready(self.ctx, child)
        return child

    async def kill(self, name: str) -> None:
        """SIGKILL one part (its process group) and wait until it is gone."""
        child = self.children[name]
        child.kill()
        if child.exited is not None:
            await child.exited

    async def stop(self, name: str) -> None:
        """Stop one part gracefully (SIGTERM, then SIGKILL after a grace period)."""
        await self.children[name].stop(STOP_TIMEOUT_S, quiet=True)

    async def stop_all(self) -> None:
        """Stop every part we started, newest first; used on success, error and Ctrl-C alike."""
        for child in reversed(list(self.children.values())):
            try:
                await asyncio.shield(child.stop(STOP_TIMEOUT_S, quiet=True))
            except Exception:  # keep stopping the others
                child.kill()

    def pid(self, name: str) -> int | None:
        """The PID of a running part."""
        child = self.children.get(name)
        return child.pid if child and child.returncode is None else None

    # ---- addresses ----

    @property
    def api_url(self) -> str:
        """The API's base URL."""
        return self.config.api_url

    @property
    def emulator_url(self) -> str:
        """The emulator's base URL."""
        return self.config.emulator_url

    @property
    def temporal(self):
        """The Temporal client the readiness check made (renewed on each Temporal start)."""
        return self.ctx.temporal

    @staticmethod
    def _part(name: str) -> Part:
        """The devstack part a name stands for (both workers are WORKER)."""
        return {"temporal": TEMPORAL, "stripe": STRIPE_EMULATOR, "api": API}.get(name) or WORKER
