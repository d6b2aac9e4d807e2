"""One emulator subprocess for the suite, reset before each test; fast timers so the suite stays quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from stripe_emulator.testing import RunningEmulator, run_emulator

from .helpers import FAST_SETTINGS, RESPONSES_FILE, WebhookReceiver


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The schema test runs last, so it checks the answers of every emulator test that ran before it."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/emulator/test_schema.py"))


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The emulator, started once per session on a free port, saving to a state file it checks after every save.

    `--verify-state` compares the file with memory after each commit, so a change that was never marked for
    saving fails the test that made it (the emulator answers 500 and logs the difference).
    """
    state_file = tmp_path_factory.mktemp("emulator") / "state.sqlite3"
    extra_args = ("--verify-state", "--record-responses", str(RESPONSES_FILE))
    RESPONSES_FILE.unlink(missing_ok=True)
    with run_emulator(settings=FAST_SETTINGS, state_file=state_file, extra_args=extra_args) as emulator:
        yield emulator
        log = emulator.log_path.read_text(errors="replace")
    assert "saved state differs from memory" not in log, "a state change was not saved (see the emulator log)"


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
    assert endpoint.secret is not None  # returned by create only, as on Stripe
    return receiver, endpoint.secret
