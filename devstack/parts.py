"""The parts of the embedded stack, in start order; a new part (e.g. an SMTP sink) is one more entry in `plan()`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from core.settings import REPO_ROOT
from core.temporal import connect
from devstack.children import Child
from devstack.config import LOOPBACK, StackConfig, python_command, temporal_binary
from devstack.readiness import http_ok, wait_until_ready
from store.db import Database
from store.migrate import upgrade
from store.shop_events import ensure_endpoint
from workflows.search_attributes import cli_flags

CHILD_CWD = REPO_ROOT


@dataclass
class StackContext:
    """What parts learn while the stack starts and hand to the parts after them."""

    config: StackConfig
    exports: dict[str, str] = field(default_factory=dict)  # env vars for the children started later
    temporal: Client | None = None


@dataclass
class Part:
    """A child process, how to tell it is ready, and what the banner shows for it."""

    name: str
    command: Callable[[StackContext], list[str]]
    ready: Callable[[StackContext, Child], Awaitable[None]]
    links: Callable[[StackConfig], list[tuple[str, str]]] = lambda _config: []
    quiet_on_stop: bool = False  # hide shutdown chatter on the console (still in its log file)
    stop_timeout_s: float = 15.0


@dataclass
class Step:
    """Work the supervisor does itself between starting children."""

    name: str
    run: Callable[[StackContext], Awaitable[None]]


# ---- Temporal -------------------------------------------------------------------------------------


def _temporal_command(ctx: StackContext) -> list[str]:
    """`temporal server start-dev` on SQLite (WAL) under VAR_DIR, with our search attributes."""
    config = ctx.config
    command = [
        str(temporal_binary()), "server", "start-dev",
        "--ip", LOOPBACK,
        "--port", str(config.temporal_port),
        "--ui-port", str(config.temporal_ui_port),
        "--db-filename", str(config.temporal_db),
        "--sqlite-pragma", "journal_mode=wal",
        "--ui-disable-news-fetch",  # no internet here; the UI would keep trying
        "--log-level", "warn",
        *cli_flags(),
    ]  # fmt: skip
    if config.settings.temporal_namespace != "default":
        command += ["--namespace", config.settings.temporal_namespace]
    return command


async def _temporal_ready(ctx: StackContext, child: Child) -> None:
    """The frontend reports healthy and the Web UI answers; keep the client for later checks."""
    settings = ctx.config.settings.model_copy(update={"temporal_address": ctx.config.temporal_address})

    async def frontend_healthy() -> None:
        client = await connect(settings, retry=False)
        await client.service_client.check_health()
        ctx.temporal = client

    await wait_until_ready(f"Temporal at {ctx.config.temporal_address}", frontend_healthy, child=child, timeout_s=60)
    await wait_until_ready(
        f"Temporal UI at {ctx.config.temporal_ui_url}", http_ok(ctx.config.temporal_ui_url), child=child, timeout_s=30
    )


TEMPORAL = Part(
    name="temporal",
    command=_temporal_command,
    ready=_temporal_ready,
    links=lambda c: [("Temporal UI", c.temporal_ui_url), ("Temporal gRPC", c.temporal_address)],
    quiet_on_stop=True,
)


# ---- Stripe emulator ------------------------------------------------------------------------------


def _emulator_command(ctx: StackContext) -> list[str]:
    """The emulator with its state file under VAR_DIR and our API as webhook endpoint."""
    config = ctx.config
    if config.legacy_emulator_state.exists() and not config.emulator_state.exists():
        # Keep the payments of an older `make run`: the emulator migrates a JSON state file in place.
        config.legacy_emulator_state.rename(config.emulator_state)
    return python_command(
        "-m", "stripe_emulator",
        "--port", str(config.emulator_port),
        "--state-file", str(config.emulator_state),
        "--webhook-url", config.webhook_url,
        "--webhook-secret-file", str(config.webhook_secret_file),
        "--log-level", config.settings.log_level,
        "--log-format", config.settings.log_format,
    )  # fmt: skip


async def _emulator_ready(ctx: StackContext, child: Child) -> None:
    """Healthy, and the webhook signing secret is written; export it for the API and the worker."""
    config = ctx.config
    await wait_until_ready(
        f"Stripe emulator at {config.emulator_url}",
        http_ok(f"{config.emulator_url}/_emulator/health"),
        child=child,
        timeout_s=30,
    )

    async def secret_written() -> None:
        secret = config.webhook_secret_file.read_text().strip() if config.webhook_secret_file.exists() else ""
        if not secret:
            raise FileNotFoundError(f"{config.webhook_secret_file} is not written yet")
        ctx.exports["STRIPE_WEBHOOK_SECRET"] = secret

    await wait_until_ready("the emulator's webhook signing secret", secret_written, child=child, timeout_s=10)


STRIPE_EMULATOR = Part(
    name="stripe",
    command=_emulator_command,
    ready=_emulator_ready,
    links=lambda c: [("Stripe emulator", c.emulator_url), ("Webhooks to", c.webhook_url)],
)


# ---- SMTP sink ------------------------------------------------------------------------------------


def _sink_command(ctx: StackContext) -> list[str]:
    """The local SMTP sink: every customer email becomes a file under VAR_DIR/mail/new."""
    config = ctx.config
    return python_command(
        "-m",
        "notifications.sink",
        "--host",
        LOOPBACK,
        "--port",
        str(config.smtp_port),
        "--maildir",
        str(config.maildir),
    )


async def _sink_ready(ctx: StackContext, child: Child) -> None:
    """The sink accepts SMTP connections."""

    async def accepting() -> None:
        _reader, writer = await asyncio.open_connection(LOOPBACK, ctx.config.smtp_port)
        writer.close()
        await writer.wait_closed()

    await wait_until_ready(f"the SMTP sink at {ctx.config.smtp_url}", accepting, child=child, timeout_s=20)


SMTP_SINK = Part(
    name="mail",
    command=_sink_command,
    ready=_sink_ready,
    links=lambda c: [
        ("Customer emails", f"{c.maildir}/new (SMTP sink {c.smtp_url})"),
        ("Worker metrics", f"http://{LOOPBACK}:{c.worker_metrics_port}/metrics"),
    ],
)


# ---- Shop-event receiver --------------------------------------------------------------------------


def _receiver_command(ctx: StackContext) -> list[str]:
    """The shop's stand-in: verifies each event's signature and appends it to VAR_DIR/shop-events.log."""
    config = ctx.config
    config.shop_receiver_secret()  # made before the receiver reads it
    return python_command(
        "-m", "shop_webhooks.receiver",
        "--host", LOOPBACK,
        "--port", str(config.shop_receiver_port),
        "--secret-file", str(config.shop_receiver_secret_file),
        "--log", str(config.shop_events_log),
    )  # fmt: skip


async def _receiver_ready(ctx: StackContext, child: Child) -> None:
    """The receiver answers its health check."""
    url = f"http://{LOOPBACK}:{ctx.config.shop_receiver_port}/healthz"
    await wait_until_ready(f"the shop-event receiver at {url}", http_ok(url), child=child, timeout_s=20)


SHOP_RECEIVER = Part(
    name="shop",
    command=_receiver_command,
    ready=_receiver_ready,
    links=lambda c: [("Shop events", f"{c.shop_events_log} (receiver {c.shop_receiver_url})")],
)


async def _register_receiver(ctx: StackContext) -> None:
    """Register the local receiver as a shop endpoint for every event (again on each start: same row, same secret)."""
    config = ctx.config

    def run() -> None:
        database = Database(config.database_url)
        try:
            database.transact(
                lambda s: ensure_endpoint(s, config.shop_receiver_url, config.shop_receiver_secret(), "devstack")
            )
        finally:
            database.dispose()

    await asyncio.to_thread(run)


SHOP_ENDPOINT = Step(name="shop endpoint registration", run=_register_receiver)


# ---- Read model -----------------------------------------------------------------------------------


async def _migrate(ctx: StackContext) -> None:
    """Bring the read model's schema to the latest revision before anything uses it."""

    def run() -> None:
        database = Database(ctx.config.database_url)
        try:
            upgrade(database)
        finally:
            database.dispose()

    await asyncio.to_thread(run)


MIGRATIONS = Step(name="migrations", run=_migrate)


# ---- Worker and API -------------------------------------------------------------------------------


async def _worker_ready(ctx: StackContext, child: Child) -> None:
    """This worker process (identity `<pid>@host`) polls the workflow task queue."""
    assert ctx.temporal is not None, "Temporal starts before the worker"
    settings = ctx.config.settings
    request = DescribeTaskQueueRequest(
        namespace=settings.temporal_namespace,
        task_queue=TaskQueue(name=settings.temporal_task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )

    async def polling() -> None:
        assert ctx.temporal is not None  # connected by the Temporal part, which starts first
        response = await ctx.temporal.workflow_service.describe_task_queue(request)
        # Pollers of a previous run stay listed for minutes; only polls since this process started count.
        assert child.started_at is not None
        ours = [
            poller
            for poller in response.pollers
            if poller.identity.startswith(f"{child.pid}@")
            or poller.last_access_time.ToNanoseconds() / 1e9 >= child.started_at
        ]
        if not ours:
            raise LookupError(f"no poller from pid {child.pid} on task queue {settings.temporal_task_queue} yet")

    await wait_until_ready(
        f"the worker polling task queue '{settings.temporal_task_queue}'", polling, child=child, timeout_s=60
    )


def _healthz_ok(response) -> None:
    """Every dependency of the API is reachable."""
    body = response.json()
    if body.get("status") != "ok":
        raise ConnectionError(f"healthz says {body}")


async def _api_ready(ctx: StackContext, child: Child) -> None:
    """GET /healthz reports Temporal, the database and Stripe reachable."""
    url = f"{ctx.config.api_url}/healthz"
    await wait_until_ready(f"the API at {url}", http_ok(url, _healthz_ok), child=child, timeout_s=60)


WORKER = Part(name="worker", command=lambda _ctx: python_command("-m", "worker"), ready=_worker_ready,
              stop_timeout_s=30.0)  # fmt: skip
API = Part(
    name="api",
    command=lambda _ctx: python_command("-m", "api"),
    ready=_api_ready,
    links=lambda c: [("API docs", f"{c.api_url}/docs"), ("API health", f"{c.api_url}/healthz")],
)


def plan() -> list[Part | Step]:
    """Everything `make run` starts, in order; stopped in reverse."""
    return [TEMPORAL, STRIPE_EMULATOR, SMTP_SINK, SHOP_RECEIVER, MIGRATIONS, SHOP_ENDPOINT, WORKER, API]
