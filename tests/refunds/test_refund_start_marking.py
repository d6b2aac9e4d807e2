"""A recorded refund whose workflow cannot be started is kept and marked for finance, and the ones behind it still start
(issue 11, item 13): never deleted, never a poison pill for the recovery loop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.refund_messages import refund_workflow_id
from domain.roles import Actor, Role
from services.refund_starts import start_waiting
from services.refunds import RefundCreate, prepare
from store import orders as store_orders
from store.db import Database
from store.migrate import upgrade
from store.refund_tables import Refund

SHOP = Actor(actor_id="stf_shop", name="shop test", roles=(Role.SHOP,))
SUPPORT = Actor(actor_id="stf_support", name="support test", roles=(Role.SUPPORT,))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated read model on each backend."""
    url = (
        f"sqlite:///{tmp_path / 'refunds.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("create_postgres_database")()
    )
    db = Database(url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def settings(database: Database, temporal_env: WorkflowEnvironment) -> Settings:
    """A task queue no worker polls: a started workflow just waits there, which is all this test looks at."""
    return Settings(
        _env_file=None,
        database_url=database.url,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_task_queue=f"refund-starts-{uuid.uuid4().hex[:8]}",
    )


def _recorded_refund(database: Database, settings: Settings, created_ago: timedelta) -> str:
    """A refund recorded `created_ago` whose workflow never started (as after an outage); answers its id."""
    order_id = f"ord-{uuid.uuid4().hex[:10]}"
    body = {
        "order_id": order_id,
        "customer_id": f"cus-{uuid.uuid4().hex[:10]}",
        "customer_email": "ada@example.com",
        "plan_months": 1,
        "amount_minor": 1999,
        "currency": "eur",
        "payment_intent_id": f"pi_{uuid.uuid4().hex[:12]}",
        "paid_at": datetime.now(UTC) - timedelta(hours=2),
    }
    # Recorded as the shop's registration leaves it; these tests are about starts, not about Stripe's checks.
    database.transact(lambda s: store_orders.add_order(s, body, SHOP))
    request = RefundCreate(order_id=order_id, reason="not_activated")
    prepared = database.transact(lambda s: prepare(s, settings, request, SUPPORT, None))

    def backdate(session) -> None:
        row = session.get(Refund, prepared.row.refund_id)
        row.created_at = datetime.now(UTC) - created_ago
        session.add(row)

    database.transact(backdate)
    return prepared.row.refund_id


def _change_input(database: Database, refund_id: str, workflow_input: dict | None) -> None:
    """Replace the workflow input kept with the refund."""

    def change(session) -> None:
        row = session.get(Refund, refund_id)
        row.workflow_input = workflow_input
        session.add(row)

    database.transact(change)


def _row(database: Database, refund_id: str) -> Refund:
    """The refund's row as stored."""
    row = database.transact(lambda s: s.get(Refund, refund_id))
    assert row is not None, f"refund {refund_id} is gone"
    return row


async def _running(client: Client, refund_id: str) -> bool:
    """Whether the refund's workflow was started and is running."""
    description = await client.get_workflow_handle(refund_workflow_id(refund_id)).describe()
    return description.status == WorkflowExecutionStatus.RUNNING


async def test_refunds_that_cannot_start_are_marked_and_the_others_start(
    database: Database, settings: Settings, temporal_env: WorkflowEnvironment
) -> None:
    # Oldest first, as the loop takes them: three that can never start, then one that can.
    unreadable = _recorded_refund(database, settings, timedelta(hours=4))
    _change_input(database, unreadable, {"refund_id": unreadable, "recorded_by": "an older version"})
    without_input = _recorded_refund(database, settings, timedelta(hours=3))
    _change_input(database, without_input, None)  # recorded before inputs were kept (revision 0006)
    refused = _recorded_refund(database, settings, timedelta(hours=2))
    oversized = _row(database, refused).workflow_input or {}
    _change_input(database, refused, oversized | {"note": "x" * 3_000_000})  # over Temporal's 2 MB payload limit
    good = _recorded_refund(database, settings, timedelta(hours=1))

    assert await start_waiting(database, temporal_env.client, settings) == 1
    assert await _running(temporal_env.client, good)
    assert _row(database, good).needs_attention is False
    reasons = {}
    for refund_id in (unreadable, without_input, refused):
        row = _row(database, refund_id)
        assert (row.status, row.needs_attention) == ("received", True), refund_id
        assert row.attention_reason is not None
        assert row.attention_reason.startswith("its workflow could not be started (")
        assert row.attention_reason.endswith("nothing was sent to Stripe")
        assert row.workflow_input is not None or refund_id == without_input  # kept as recorded, for whoever looks
        reasons[refund_id] = row.attention_reason
    assert "recorded workflow input does not read" in reasons[unreadable]
    assert "recorded without its workflow input" in reasons[without_input]
    assert "workflow service refused it" in reasons[refused]

    # The next pass leaves the marked ones alone (no second mark, no error) and finds the good one already running.
    assert await start_waiting(database, temporal_env.client, settings) == 1
    assert {r: _row(database, r).attention_reason for r in reasons} == reasons


async def test_a_start_that_fails_on_our_side_is_marked_and_the_others_start(
    database: Database, settings: Settings, temporal_env: WorkflowEnvironment
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's json refuses the lone surrogate this input needs; the code path is the same")
    # Reads as a valid input, but the client cannot encode it (a lone surrogate is no UTF-8): not Temporal's refusal.
    broken = _recorded_refund(database, settings, timedelta(hours=2))
    _change_input(database, broken, (_row(database, broken).workflow_input or {}) | {"note": "\ud800"})
    good = _recorded_refund(database, settings, timedelta(hours=1))

    assert await start_waiting(database, temporal_env.client, settings) == 1
    assert await _running(temporal_env.client, good)
    row = _row(database, broken)
    assert (row.status, row.needs_attention, row.workflow_input is not None) == ("received", True, True)
    assert row.attention_reason is not None and "could not be started (" in row.attention_reason
