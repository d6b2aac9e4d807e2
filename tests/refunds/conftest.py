"""A whole refund stack per test: real Temporal, the emulator, a migrated SQLite database, our workers, the HTTP API."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack

import httpx
import pytest
import uvicorn
from refund_support import ACTOR_SIGNING_KEY, RefundStack, save_histories
from temporalio.client import Client

from activities import ActivityDependencies
from api.app import create_app
from core.settings import Settings
from core.stripe_client import make_stripe_client
from core.temporal import signing_calls
from store.db import Database
from store.migrate import upgrade
from worker.build import build_workers


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings_overrides() -> dict:
    """Tests override settings (policy parameters, timeouts) by redefining this fixture or parametrizing it."""
    return {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Stack tests of a module that sets READ_MODEL_BACKENDS run once per backend."""
    backends = getattr(metafunc.module, "READ_MODEL_BACKENDS", None)
    if backends and "stack" in metafunc.fixturenames:
        metafunc.parametrize("read_model_backend", backends, indirect=True)


@pytest.fixture
def read_model_backend(request) -> str:
    """SQLite unless a module parametrizes it (indirectly) with "postgresql"."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def read_model_url(request, read_model_backend: str, tmp_path) -> str:
    """A fresh read-model database on the chosen backend."""
    if read_model_backend == "postgresql":
        return request.getfixturevalue("create_postgres_database")()
    return f"sqlite:///{tmp_path / 'refunds.db'}"


@pytest.fixture
def api_temporal_client(temporal_env) -> Client:
    """The client the API talks to Temporal with; outage tests redefine it to pass through a gate they can close."""
    return temporal_env.client


@pytest.fixture
def stripe_worker_in_process() -> bool:
    """Tests that run the Stripe worker in a subprocess (to kill it) redefine this as False."""
    return True


@pytest.fixture
async def stack(
    request,
    temporal_env,
    worker_client,
    api_temporal_client,
    stripe_emulator,
    read_model_url,
    settings_overrides,
    stripe_worker_in_process,
) -> AsyncIterator[RefundStack]:
    """Workers on fresh task queues, the API served by uvicorn, the emulator's webhooks pointed at it."""
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    stripe = stripe_emulator.stripe_client()
    endpoint = stripe.v1.webhook_endpoints.create({"url": f"{api_url}/webhooks/stripe", "enabled_events": ["*"]})
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        _env_file=None,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_task_queue=f"refunds-{suffix}",
        temporal_stripe_task_queue=f"refunds-stripe-{suffix}",
        database_url=read_model_url,
        stripe_api_key=stripe_emulator.api_key,
        stripe_api_base=stripe_emulator.base_url,
        stripe_webhook_secret=endpoint.secret,
        api_port=api_port,
        public_api_url=api_url,
        dev_tokens=True,
        actor_signing_key=ACTOR_SIGNING_KEY,
        migrate_on_start=False,
        **({"stripe_call_timeout": 10, "refund_status_poll_interval": 5} | settings_overrides),
    )
    database = Database(settings.database_url)
    upgrade(database)
    # Workflows started by the API carry no time-skipping config: they wait in real time until a test fast-forwards
    # them. Tests act on workflows as the API does, with signed calls.
    client: Client = signing_calls(temporal_env.client, settings)
    async with AsyncExitStack() as exit_stack:
        executor = exit_stack.enter_context(ThreadPoolExecutor(max_workers=8))
        deps = ActivityDependencies(settings=settings, database=database, stripe=make_stripe_client(settings))
        main_worker, stripe_worker = build_workers(worker_client, settings, deps, executor)
        await exit_stack.enter_async_context(main_worker)
        if stripe_worker_in_process:
            await exit_stack.enter_async_context(stripe_worker)
        with temporal_env.with_time_skipping_disabled():
            app = create_app(settings, temporal_client=api_temporal_client, database=database)
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=api_port, log_config=None, lifespan="on")
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.02)
                if serving.done():
                    serving.result()
            http = await exit_stack.enter_async_context(httpx.AsyncClient(base_url=api_url, timeout=30))
            refund_stack = RefundStack(
                api=http,
                settings=settings,
                client=client,
                env=temporal_env,
                database=database,
                stripe=stripe,
                emulator=stripe_emulator,
            )
            try:
                yield refund_stack
                if request.node.get_closest_marker("history"):
                    await save_histories(refund_stack, request.node.name)
            finally:
                server.should_exit = True
                await serving
                stripe.v1.webhook_endpoints.delete(endpoint.id)
    database.dispose()


# Long enough for a test to register the order (and a contact or refund) before the bank opens the dispute.
DISPUTE_DELAY_S = 2.5


@pytest.fixture
async def disputes(stack: RefundStack) -> AsyncIterator[RefundStack]:
    """The stack, with pm_card_createDispute disputes opening a little after payment."""
    previous = stack.emulator.control.settings()["dispute_delay"]
    stack.emulator.control.configure(dispute_delay=DISPUTE_DELAY_S)
    try:
        yield stack
    finally:
        stack.emulator.control.configure(dispute_delay=previous)
