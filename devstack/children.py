"""One child process of the stack: started so it cannot outlive us, its output prefixed, logged and remembered."""

from __future__ import annotations

import asyncio
import collections
import ctypes
import logging
import os
import signal
import sys
import time
from pathlib import Path

log = logging.getLogger("devstack")

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
TAIL_LINES = 30
# Linux only; elsewhere (macOS) children still stop with the supervisor unless it is SIGKILLed.
_prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)


def _die_with(parent_pid: int):
    """A preexec_fn: the kernel sends SIGTERM to the child when the supervisor dies, even by SIGKILL."""

    def preexec() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        # The supervisor may have died between fork and prctl; then nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class Child:
    """A supervised process in its own process group, so Ctrl-C reaches only the supervisor, which stops it in order."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.log_path = log_dir / f"{name}.log"
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.forward_to_console = True
        self._process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task | None = None
        self.exited: asyncio.Task | None = None
        self.started_at: float | None = None  # wall-clock time of the spawn

    @property
    def pid(self) -> int | None:
        """The process id once started."""
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        """None while running."""
        return self._process.returncode if self._process else None

    async def start(self) -> None:
        """Spawn the process and begin forwarding its output."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.started_at = time.time()
        self._process = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            process_group=0,
            preexec_fn=_die_with(os.getpid()),
            limit=1 << 20,
        )
        self._pump = asyncio.create_task(self._forward_output(), name=f"output-{self.name}")
        self.exited = asyncio.create_task(self._wait(), name=f"exit-{self.name}")
        log.info(f"started {self.name}", extra={"part": self.name, "pid": self.pid, "log_file": str(self.log_path)})

    async def _wait(self) -> int:
        """The exit code, once the process has exited and its output is drained."""
        assert self._process and self._pump
        code = await self._process.wait()
        await self._pump
        return code

    async def _forward_output(self) -> None:
        """Copy each line to var/logs/<name>.log and, prefixed with the name, to our stderr."""
        assert self._process and self._process.stdout
        prefix = f"{self.name:<9}| ".encode()
        with self.log_path.open("ab") as logfile:
            logfile.write(f"--- {self.name} started: {' '.join(self.argv)}\n".encode())
            while True:
                try:
                    line = await self._process.stdout.readline()
                except ValueError:  # a line longer than the buffer: take what is there
                    line = await self._process.stdout.read(1 << 20)
                if not line:
                    break
                if not line.endswith(b"\n"):
                    line += b"\n"
                logfile.write(line)
                logfile.flush()
                self.tail.append(line.decode(errors="replace").rstrip("\n"))
                if self.forward_to_console:
                    sys.stderr.buffer.write(prefix + line)
                    sys.stderr.buffer.flush()

    def describe_exit(self) -> str:
        """'exit code 1' or 'killed by SIGKILL'."""
        code = self.returncode
        if code is None:
            return "still running"
        if code < 0:
            return f"ended by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def last_lines(self) -> str:
        """The end of the child's output, indented, for an error message."""
        return "\n".join(f"    {line}" for line in self.tail) or "    (no output)"

    async def stop(self, timeout_s: float, *, quiet: bool = False) -> None:
        """SIGTERM the process group, SIGKILL it after `timeout_s`, and wait until it has exited."""
        if self._process is None or self.exited is None:
            return
        if quiet:
            self.forward_to_console = False
        if self._process.returncode is None:
            log.info(f"stopping {self.name}", extra={"part": self.name, "pid": self.pid})
            self._signal_group(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(self.exited), timeout_s)
            except TimeoutError:
                log.warning(
                    f"{self.name} did not stop within {timeout_s:g}s; killing it",
                    extra={"part": self.name, "pid": self.pid},
                )
        # Also reaps anything the child left behind in its group (e.g. a server's own helpers).
        self._signal_group(signal.SIGKILL)
        await self.exited
        log.info(f"{self.name} stopped ({self.describe_exit()})", extra={"part": self.name})

    def kill(self) -> None:
        """SIGKILL the process group now (a second Ctrl-C)."""
        if self._process is not None and self._process.returncode is None:
            self._signal_group(signal.SIGKILL)

    def _signal_group(self, sig: signal.Signals) -> None:
        """Signal the child's process group; it may already be gone."""
        assert self._process
        try:
            os.killpg(self._process.pid, sig)
        except ProcessLookupError:
            pass
