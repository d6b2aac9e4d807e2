"""The supervisor's own logic with real (tiny) child processes: failures are named, explained and stop the rest."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from devstack.children import Child
from devstack.config import StackConfig, StackConfigError
from devstack.parts import Part, StackContext
from devstack.readiness import wait_until_ready
from devstack.supervisor import Supervisor


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_config(var_dir: Path, **overrides) -> StackConfig:
    """A config on free ports under `var_dir`."""
    values: dict[str, Any] = {
        "var_dir": var_dir,
        "temporal_address": f"127.0.0.1:{free_port()}",
        "temporal_ui_url": f"http://127.0.0.1:{free_port()}",
        "stripe_api_base": f"http://127.0.0.1:{free_port()}",
        "api_port": free_port(),
    } | overrides
    return StackConfig.from_settings(Settings(**values))


def python_part(name: str, code: str, *, ready=None, stop_timeout_s: float = 5.0) -> Part:
    """A part running a snippet of Python; ready at once unless told otherwise."""

    async def at_once(_ctx: StackContext, _child: Child) -> None:
        return None

    return Part(
        name=name,
        command=lambda _ctx: [sys.executable, "-c", code],
        ready=ready or at_once,
        stop_timeout_s=stop_timeout_s,
    )


async def never_ready(_ctx: StackContext, child: Child) -> None:
    """A readiness check that never passes."""

    async def probe() -> None:
        raise ConnectionError("nothing listens")

    await wait_until_ready("a service that never answers", probe, child=child, timeout_s=30)


SLEEPER = "import time; time.sleep(120)"


async def test_a_child_dying_during_start_is_named_with_its_output_and_the_rest_stop(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="devstack")
    supervisor = Supervisor(
        stack_config(tmp_path),
        [
            python_part("sleeper", SLEEPER),
            python_part("crasher", "print('boom: no config'); raise SystemExit(3)", ready=never_ready),
        ],
    )
    assert await supervisor.run() == 1
    sleeper, crasher = supervisor.children
    assert crasher.returncode == 3
    assert sleeper.returncode is not None  # stopped by us, not left running
    error = next(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert error.startswith("crasher exited while we waited for a service that never answers (exit code 3)")
    assert "boom: no config" in error
    assert str(tmp_path / "logs" / "crasher.log") in error
    assert "boom: no config" in (tmp_path / "logs" / "crasher.log").read_text()


async def test_a_child_dying_later_stops_the_stack(tmp_path, caplog, capsys) -> None:
    caplog.set_level(logging.INFO, logger="devstack")
    supervisor = Supervisor(
        stack_config(tmp_path),
        [python_part("sleeper", SLEEPER), python_part("flaky", "import time; time.sleep(0.5); raise SystemExit(4)")],
    )
    assert await supervisor.run() == 1
    assert "Refund service is up" in capsys.readouterr().out  # it had started
    assert all(child.returncode is not None for child in supervisor.children)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].startswith("flaky exited unexpectedly (exit code 4)")
    stops = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stopping ")]
    assert stops == ["stopping sleeper"]


async def test_a_child_ignoring_sigterm_is_killed_after_its_grace_period(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="devstack")
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(120)"
    )

    async def prints_ready(_ctx: StackContext, child: Child) -> None:
        async def probe() -> None:
            if "ready" not in child.tail:
                raise LookupError("not yet")

        await wait_until_ready("stubborn", probe, child=child, timeout_s=10)

    supervisor = Supervisor(
        stack_config(tmp_path),
        [
            python_part("stubborn", stubborn, ready=prints_ready, stop_timeout_s=0.5),
            python_part("crasher", "raise SystemExit(1)"),
        ],
    )
    assert await supervisor.run() == 1
    assert supervisor.children[0].describe_exit() == "ended by SIGKILL"
    assert any("stubborn did not stop within 0.5s; killing it" in r.getMessage() for r in caplog.records)


async def test_a_part_that_never_becomes_ready_times_out_with_its_output(tmp_path, caplog, monkeypatch) -> None:
    caplog.set_level(logging.INFO, logger="devstack")

    async def quickly_gives_up(_ctx: StackContext, child: Child) -> None:
        async def probe() -> None:
            raise ConnectionError("connection refused")

        await wait_until_ready("the silent service", probe, child=child, timeout_s=1)

    supervisor = Supervisor(
        stack_config(tmp_path),
        [python_part("silent", "print('starting up'); import time; time.sleep(120)", ready=quickly_gives_up)],
    )
    assert await supervisor.run() == 1
    error = next(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert error.startswith(
        "the silent service was not ready after 1s (last error: ConnectionError: connection refused)"
    )
    assert "starting up" in error
    assert supervisor.children[0].returncode is not None


async def test_a_busy_port_is_reported_before_anything_starts(tmp_path, caplog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        supervisor = Supervisor(stack_config(tmp_path, api_port=port), [python_part("sleeper", SLEEPER)])
        assert await supervisor.run() == 1
    assert supervisor.children == []
    error = next(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert error.startswith(f"port {port} (API_PORT) already in use on 127.0.0.1")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "temporal_address",
            "temporal.internal:7233",
            "TEMPORAL_ADDRESS=temporal.internal:7233 points at temporal.inte",
        ),
        ("stripe_api_base", "https://api.stripe.com", "STRIPE_API_BASE=https://api.stripe.com points at api.stripe"),
        ("temporal_ui_url", "http://127.0.0.1", "TEMPORAL_UI_URL=http://127.0.0.1 must name a port"),
    ],
)
def test_settings_that_cannot_be_a_local_stack_are_refused_clearly(tmp_path, setting, value, message) -> None:
    with pytest.raises(StackConfigError) as raised:
        StackConfig.from_settings(Settings(var_dir=tmp_path, **{setting: value}))
    assert str(raised.value).startswith(message)


def test_children_get_the_stack_addresses_and_absolute_paths(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = StackConfig.from_settings(
        Settings(var_dir=Path("var"), temporal_address="localhost:17233", api_port=18000, stripe_api_base=None)
    )
    env = config.child_env()
    assert env["VAR_DIR"] == str(tmp_path / "var")
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'var' / 'refunds.db'}"
    assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:17233"
    assert env["STRIPE_API_BASE"] == "http://127.0.0.1:12111"  # the emulator's default port
    assert (env["API_HOST"], env["API_PORT"], env["PUBLIC_API_URL"]) == ("127.0.0.1", "18000", "http://127.0.0.1:18000")
    assert env["DEV_TOKENS"] == "true"
    assert config.webhook_url == "http://127.0.0.1:18000/webhooks/stripe"
