"""Start the emulator as a subprocess for a test session: `with run_emulator(...) as emu: emu.base_url`."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, Unpack, cast

import httpx
import stripe
from stripe.params import PaymentIntentCreateParams

from stripe_emulator.control import EmulatorControl

DEFAULT_API_KEY = "sk_test_emulator"


@dataclass
class RunningEmulator:
    """A started emulator: where it listens, a key it accepts, its control client."""

    base_url: str
    api_key: str
    pid: int
    control: EmulatorControl
    log_path: Path
    state_file: Path | None = None
    webhook_secret: str | None = None
    process: subprocess.Popen | None = field(repr=False, default=None)

    def stripe_client(self, **options: Any):
        """A `stripe.StripeClient` pointed at this emulator (extra options such as max_network_retries pass through)."""
        return stripe.StripeClient(
            options.pop("api_key", self.api_key), base_addresses={"api": self.base_url}, **options
        )


def _command(
    port_file: Path, host: str, state_file, webhook_url, webhook_secret_file, settings, extra_args
) -> list[str]:
    """The `python -m stripe_emulator` command line."""
    command = [sys.executable, "-m", "stripe_emulator", "--host", host, "--port", "0", "--port-file", str(port_file)]
    if state_file:
        command += ["--state-file", str(state_file)]
    if webhook_url:
        command += ["--webhook-url", webhook_url]
    if webhook_secret_file:
        command += ["--webhook-secret-file", str(webhook_secret_file)]
    for name, value in (settings or {}).items():
        command += ["--" + name.replace("_", "-"), str(value)]
    return command + list(extra_args)


class EmulatorOptions(TypedDict, total=False):
    """How to run the emulator (every option may be left out); `settings` are flags such as refund_pending_delay."""

    api_key: str
    host: str
    state_file: Path | None
    webhook_url: str | None
    webhook_secret_file: Path | None
    settings: dict[str, Any] | None
    extra_args: tuple[str, ...]
    log_path: Path | None
    startup_timeout: float


class _Launch:
    """Process start-up shared by the sync and async context managers."""

    def __init__(self, options: EmulatorOptions) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="stripe-emulator-"))
        self.port_file = self.workdir / "port"
        log_path = options.get("log_path")
        self.log_path = Path(log_path) if log_path else self.workdir / "emulator.log"
        self.api_key = options.get("api_key", DEFAULT_API_KEY)
        self.host = options.get("host", "127.0.0.1")
        self.state_file = options.get("state_file")
        self.webhook_secret_file = options.get("webhook_secret_file")
        self.startup_timeout = options.get("startup_timeout", 30.0)
        command = _command(
            self.port_file,
            self.host,
            self.state_file,
            options.get("webhook_url"),
            self.webhook_secret_file,
            options.get("settings"),
            options.get("extra_args", ()),
        )
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=os.environ.copy())

    def wait_ready(self) -> str:
        """The base URL once the emulator passes its health check; RuntimeError with its log after the start timeout."""
        deadline = time.monotonic() + self.startup_timeout
        while (base_url := self.poll_ready()) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"stripe emulator did not become healthy:\n{self.log_tail()}")
            time.sleep(0.05)
        return base_url

    def poll_ready(self) -> str | None:
        """The base URL once the emulator answers its health check, else None (raises if it died)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"stripe emulator exited with {self.process.returncode}:\n{self.log_tail()}")
        if not self.port_file.exists() or not self.port_file.read_text().strip():
            return None
        base_url = f"http://{self.host}:{self.port_file.read_text().strip()}"
        try:
            return base_url if httpx.get(f"{base_url}/_emulator/health", timeout=1).status_code == 200 else None
        except httpx.HTTPError:
            return None

    def running(self, base_url: str) -> RunningEmulator:
        """The handle given to the caller."""
        secret = None
        if self.webhook_secret_file and Path(self.webhook_secret_file).exists():
            secret = Path(self.webhook_secret_file).read_text().strip()
        return RunningEmulator(
            base_url=base_url,
            api_key=self.api_key,
            pid=self.process.pid,
            control=EmulatorControl(base_url),
            log_path=self.log_path,
            state_file=self.state_file,
            webhook_secret=secret,
            process=self.process,
        )

    def log_tail(self, lines: int = 40) -> str:
        """The end of the emulator's log, for failure messages."""
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM this process (by its PID), then SIGKILL if it does not exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def run_emulator(**options: Unpack[EmulatorOptions]) -> Iterator[RunningEmulator]:
    """Run the emulator on a free port until the block exits."""
    launch = _Launch(options)
    try:
        handle = launch.running(launch.wait_ready())
        try:
            yield handle
        finally:
            handle.control.close()
    finally:
        launch.stop()


@asynccontextmanager
async def run_emulator_async(**options: Unpack[EmulatorOptions]) -> AsyncIterator[RunningEmulator]:
    """`run_emulator` for async fixtures: waits without blocking the event loop."""
    launch = _Launch(options)
    try:
        # In a thread: the wait sleeps between health checks, which must not block the event loop.
        handle = launch.running(await asyncio.to_thread(launch.wait_ready))
        try:
            yield handle
        finally:
            handle.control.close()
    finally:
        await asyncio.to_thread(launch.stop)


def card_payment(amount_minor: int, currency: str, card: str) -> PaymentIntentCreateParams:
    """A confirmed card PaymentIntent's create parameters, as the shop's checkout sends them.

    `payment_method_types` is what our pinned API version (2023-08-16) takes; the SDK's types follow Stripe's newest
    version, which renamed it, hence the cast.
    """
    return cast(
        PaymentIntentCreateParams,
        {
            "amount": amount_minor,
            "currency": currency,
            "payment_method": card,
            "payment_method_types": ["card"],
            "confirm": True,
        },
    )


def pay(
    client: stripe.StripeClient,
    amount_minor: int,
    currency: str,
    card: str = "pm_card_visa",
    customer: str | None = None,
) -> stripe.PaymentIntent:
    """A succeeded card payment, as the shop's checkout leaves it before registering the order it paid.

    The one way tests, benchmarks and examples pay: the service registers an order only against such a payment.
    """
    params = card_payment(amount_minor, currency, card)
    if customer is not None:
        params["customer"] = customer
    return client.v1.payment_intents.create(params)
