"""The `refunds` API commands without a refund stack: help, missing token, unreachable API, and the API's refusals."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from platform_support import api_settings
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from store.db import Database
from store.refund_tables import Refund, RefundEvent
from store.tables import Customer, Order

RUNNER = CliRunner()
API_COMMANDS = ("request", "show", "list", "approve", "reject", "settlements", "confirm-settlement")


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def api_url(tmp_path: Path) -> Iterator[str]:
    """The real API on a fresh SQLite database, served in a thread (Temporal, Stripe unreachable: reads still work)."""
    port = free_port()
    application = create_app(
        api_settings(f"sqlite:///{tmp_path / 'refunds.db'}", tmp_path).model_copy(update={"migrate_on_start": True})
    )
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def run(*args: str, env: Mapping[str, str | None] | None = None):
    """Invoke the CLI with no token or URL from the calling environment."""
    return RUNNER.invoke(
        app, list(args), env={"REFUNDS_API_URL": None, "REFUNDS_TOKEN": None, "COLUMNS": "200", **(env or {})}
    )


def test_help_lists_every_command_and_keeps_staff_add() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in (*API_COMMANDS, "staff"):
        assert command in result.stdout
    assert "REFUNDS_TOKEN" in run("settlements", "--help").stdout
    assert run("staff", "add", "--help").exit_code == 0


@pytest.mark.parametrize(
    "command", [["list"], ["show", "rf_x"], ["settlements"], ["approve", "rf_x"], ["request", "ord-1", "wrong_plan"]]
)
def test_no_token_says_how_to_get_one(command: list[str]) -> None:
    result = run(*command)
    assert result.exit_code == 2 and result.stdout == ""
    assert "no staff token: pass --token or set REFUNDS_TOKEN" in result.stderr


def test_an_unreachable_api_is_named() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run("list", "--api-url", url, "--token", "dev-support-1")
    assert result.exit_code == 1
    assert f"error: cannot reach the refund API at {url}" in result.stderr and "is --api-url right?" in result.stderr


def test_the_apis_refusals_are_printed_as_is(api_url: str) -> None:
    env = {"REFUNDS_API_URL": api_url}
    unknown = run("list", "--token", "nope", env=env)
    assert unknown.exit_code == 1 and unknown.stderr == "error: unknown or revoked staff token\n"
    missing = run("show", "rf_missing", env=env | {"REFUNDS_TOKEN": "dev-support-1"})
    assert missing.exit_code == 1 and missing.stderr == "error: no refund with id rf_missing\n"
    forbidden = run("settlements", "--token", "dev-approver-1", env=env)
    assert forbidden.exit_code == 1
    assert forbidden.stderr == "error: this needs the role admin or finance; your token has approver\n"
    currency = run("settlements", "--currency", "ecu", "--token", "dev-finance-1", env=env)
    assert currency.exit_code == 1
    assert (
        currency.stderr
        == "error: currency: 'ecu' is not a currency we accept; use a three-letter ISO 4217 code such as EUR or USD\n"
    )
    dates = run("settlements", "--from", "2025-03-10", "--to", "2025-03-01", "--token", "dev-finance-1", env=env)
    assert dates.exit_code == 1 and "expected_by_from (2025-03-10) is after expected_by_to (2025-03-01)" in dates.stderr


def test_empty_lists_say_so(api_url: str) -> None:
    env = {"REFUNDS_API_URL": api_url}
    assert run("list", "--token", "dev-support-1", env=env).stdout == "No refunds match.\n"
    empty = run("settlements", "--state", "due", "--token", "dev-admin-1", env=env)
    assert empty.exit_code == 0 and empty.stdout.startswith("No settlements match (today is ")
    csv_only_header = run("settlements", "--csv", "-", "--token", "dev-finance-1", env=env)
    assert csv_only_header.exit_code == 0 and csv_only_header.stdout.startswith("refund_id,stripe_refund_id,order_id,")


def test_show_escapes_control_characters_stored_before_the_api_refused_them(api_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    hostile = "ok\x1b[2J\x1b]0;owned\x07 approved\u202e"

    def old_rows(session) -> None:
        session.add(Customer(customer_id="cus-esc", email="ada@example.com"))
        session.add(
            Order(
                order_id="ord-esc",
                customer_id="cus-esc",
                customer_email="ada@example.com",
                plan_months=12,
                amount_minor=11988,
                currency="eur",
                payment_intent_id="pi_esc",
                paid_at=now,
            )
        )
        session.flush()
        session.add(
            Refund(
                refund_id="rf_esc",
                workflow_id="refund-rf_esc",
                order_id="ord-esc",
                customer_id="cus-esc",
                reason="wrong_plan",
                status="awaiting_approval",
                amount_minor=11988,
                currency="eur",
                requested_by_id="support-1",
                requested_by_name="Sam\x1b[31m",
                requested_at=now,
                customer_contacted_at=now,
                note=hostile,
                request_fingerprint="x",
            )
        )
        session.flush()
        session.add(
            RefundEvent(
                refund_id="rf_esc",
                seq=1,
                at=now,
                kind="requested",
                status="awaiting_approval",
                actor_id="support-1",
                actor_name="Sam",
                note=hostile,
            )
        )

    database = Database(f"sqlite:///{tmp_path / 'refunds.db'}")
    database.transact(old_rows)
    database.dispose()
    shown = run("show", "rf_esc", "--token", "dev-approver-1", env={"REFUNDS_API_URL": api_url})
    assert shown.exit_code == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "\u202e" not in shown.stdout
    assert "ok\\x1b[2J\\x1b]0;owned\\x07 approved\\u202e" in shown.stdout
    assert "Sam\\x1b[31m" in shown.stdout
