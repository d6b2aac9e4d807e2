"""One emulator subprocess for the suite, reset before each test; fast timers so the suite stays quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from stripe_emulator.testing import RunningEmulator, run_emulator

from .helpers import FAST_SETTINGS, WebhookReceiver


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[RunningEmulator]:
    """The emulator, started once per session on a free port."""
    with run_emulator(settings=FAST_SETTINGS) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_process: RunningEmulator) -> RunningEmulator:
    """The emulator with empty state and the fast settings."""
    emulator_process.control.reset()
    return emulator_process


@pytest.fixture
def client(emulator: RunningEmulator) -> stripe.StripeClient:
    """A StripeClient for the emulator, without SDK retries."""
    return emulator.stripe_client()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A local HTTP server receiving webhooks."""
    server = WebhookReceiver()
    yield server
    server.stop()


@pytest.fixture
def webhook(client: stripe.StripeClient, receiver: WebhookReceiver) -> tuple[WebhookReceiver, str]:
    """The receiver registered for all events; returns it with its signing secret."""
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]})
    return receiver, endpoint.secret
