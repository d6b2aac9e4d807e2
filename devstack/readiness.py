"""Waiting for a part to answer, while noticing at once if its process died instead."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable

import httpx

from devstack.children import Child

log = logging.getLogger("devstack")
POLL_INTERVAL_S = 0.25
PROBE_TIMEOUT_S = 3.0
REMIND_EVERY_S = 10.0


class StackFailure(Exception):
    """The stack cannot run; the message says which part and why."""


class ChildExited(StackFailure):
    """A child process ended while it should be running."""

    def __init__(self, child: Child, during: str) -> None:
        super().__init__(
            f"{child.name} exited {during} ({child.describe_exit()}); last lines of its output "
            f"(full log: {child.log_path}):\n{child.last_lines()}"
        )
        self.child = child


async def wait_until_ready(
    what: str, probe: Callable[[], Awaitable[None]], *, child: Child | None, timeout_s: float
) -> None:
    """Poll `probe` until it succeeds; fail early if `child` exits, or after `timeout_s`."""
    log.info(f"waiting for {what}")
    started = time.monotonic()
    next_reminder = started + REMIND_EVERY_S
    last_error = "no answer yet"
    while True:
        if child is not None and child.returncode is not None:
            if child.exited is not None:
                await child.exited
            raise ChildExited(child, f"while we waited for {what}")
        try:
            await asyncio.wait_for(probe(), PROBE_TIMEOUT_S)
        except Exception as error:  # any failure means "not ready yet"
            last_error = f"{type(error).__name__}: {error}"[:300]
        else:
            log.info(f"{what} is ready", extra={"seconds": round(time.monotonic() - started, 1)})
            return
        now = time.monotonic()
        if now - started > timeout_s:
            tail = f"; last lines of {child.name}:\n{child.last_lines()}" if child else ""
            raise StackFailure(f"{what} was not ready after {timeout_s:.0f}s (last error: {last_error}){tail}")
        if now >= next_reminder:
            log.info(f"still waiting for {what}", extra={"last_error": last_error})
            next_reminder = now + REMIND_EVERY_S
        await asyncio.sleep(POLL_INTERVAL_S)


def http_ok(url: str, check: Callable[[httpx.Response], None] | None = None) -> Callable[[], Awaitable[None]]:
    """A probe that passes when `url` answers 200 (and `check` accepts the response)."""

    async def probe() -> None:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise ConnectionError(f"{url} answered {response.status_code}: {response.text[:200]}")
        if check is not None:
            check(response)

    return probe


def busy_ports(ports: dict[str, int], host: str) -> list[str]:
    """The ports (with the variable that sets each) something else already listens on."""
    busy = []
    for variable, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                busy.append(f"{port} ({variable})")
    return busy
