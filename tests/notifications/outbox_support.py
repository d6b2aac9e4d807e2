"""Helpers of the notification tests: a real SMTP server on a chosen port, outbox rows, relay settings."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlmodel import select

from notifications.relay import RelayConfig
from notifications.sink import MaildirSink
from notifications.smtp import SmtpTarget
from store.db import Database
from store.refund_tables import OutboxMessage, Refund
from store.refunds import email_context

MAIL_FROM = "Refunds <refunds@shop.test>"
REFUSED_DOMAIN = "refused.example"  # the test server answers RCPT with 550 (no such mailbox)
GREYLIST_DOMAIN = "greylist.example"  # the test server answers RCPT with 451 (try again later)


class PolicySink(MaildirSink):
    """The real sink with a recipient policy, like a real MTA refusing some addresses."""

    def __init__(self, directory: Path, delay: float = 0.0) -> None:
        super().__init__(directory)
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        """550 for refused.example, 451 for greylist.example, 250 otherwise."""
        domain = address.rpartition("@")[2]
        if domain == REFUSED_DOMAIN:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if domain == GREYLIST_DOMAIN:
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        """Optionally slow, so concurrent relays overlap for real."""
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class SmtpServer:
    """An aiosmtpd server that can be started, stopped and started again on the same port."""

    def __init__(self, directory: Path, port: int, delay: float = 0.0) -> None:
        self.directory = directory
        self.port = port
        self.handler = PolicySink(directory, delay)
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        """Listen on the port (blocks until it accepts connections)."""
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="smtp.test", ready_timeout=10
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening; stored messages stay."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        """Every email stored so far, parsed."""
        new = self.directory / "new"
        files = sorted(new.iterdir()) if new.exists() else []
        return [message_from_bytes(path.read_bytes(), policy=default_policy) for path in files]

    def message_ids(self) -> list[str]:
        """Message-ID of every stored email, duplicates included."""
        return [str(message["Message-ID"]) for message in self.messages()]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def relay_config(port: int, **overrides) -> RelayConfig:
    """Relay settings for tests: real SMTP on the port, short backoff, short timeouts."""
    values: dict[str, Any] = dict(
        smtp=SmtpTarget(host="127.0.0.1", port=port),
        mail_from=MAIL_FROM,
        poll_seconds=0.1,
        batch_size=20,
        max_attempts=10,
        smtp_timeout=2.0,
        retry_base=timedelta(seconds=0.3),
        retry_cap=timedelta(seconds=2),
        lease=timedelta(seconds=30),
    )
    values.update(overrides)
    return RelayConfig(**values)


def sample_refund(refund_id: str, **fields) -> Refund:
    """A refund read-model row as the workflow publishes it (not stored: only its email context is used)."""
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    values: dict[str, Any] = dict(
        refund_id=refund_id,
        workflow_id=f"refund-{refund_id}",
        order_id=f"ord-{refund_id}",
        customer_id="cus-1",
        reason="technical_issue",
        status="settling",
        amount_minor=1200,
        currency="eur",
        requested_by_id="stf-support-7",
        requested_by_name="Sam Support",
        requested_at=now,
        customer_contacted_at=now,
        note="INTERNAL: customer was rude on the phone",
        request_fingerprint="f" * 64,
        policy_version="2025-12-05",
        decision_clause=(
            "Technical issues we cannot resolve — a persistent problem that makes normal use impossible "
            "after reasonable troubleshooting"
        ),
        expected_from=date(2026, 12, 2),
        expected_by=date(2026, 12, 9),
    )
    values.update(fields)
    return Refund(**values)


def enqueue(
    database: Database,
    *,
    to: str = "ada@example.com",
    template: str = "refund_issued",
    locale: str = "en",
    key: str | None = None,
) -> str:
    """Write one outbox row as store.refunds.publish does; returns its message key."""
    refund_id = f"rf_{uuid.uuid4().hex[:10]}"
    message_key = key or f"{refund_id}:3:{template}"

    def write(session) -> None:
        session.add(
            OutboxMessage(
                message_key=message_key,
                refund_id=refund_id,
                to_email=to,
                locale=locale,
                template=template,
                context=email_context(sample_refund(refund_id)),
            )
        )

    database.transact(write)
    return message_key


def outbox_row(database: Database, message_key: str) -> OutboxMessage:
    """The outbox row as stored now."""
    return database.transact(
        lambda session: session.exec(select(OutboxMessage).where(OutboxMessage.message_key == message_key)).one()
    )


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll until true, or fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_until_due(database: Database, message_key: str) -> None:
    """Sleep until the message's next attempt time has passed."""
    due = outbox_row(database, message_key).next_attempt_at
    wait_until(lambda: datetime.now(UTC) > due, timeout=10, what=f"{message_key} to be due")
