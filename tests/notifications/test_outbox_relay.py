"""The outbox relay against a real SMTP server (aiosmtpd) and a real migrated database."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from outbox_support import (
    GREYLIST_DOMAIN,
    MAIL_FROM,
    REFUSED_DOMAIN,
    SmtpServer,
    enqueue,
    outbox_row,
    relay_config,
    wait_until,
    wait_until_due,
)

from notifications import outbox, smtp
from notifications.compose import compose, message_id
from notifications.relay import OutboxRelay
from notifications.templates import render
from store.db import Database


def expected_id(key: str) -> str:
    """The Message-ID the relay gives the outbox message with this key."""
    return message_id(key, "shop.test")


def test_messages_are_delivered_once_and_marked_sent(any_db: Database, smtp_server: SmtpServer) -> None:
    db = any_db
    keys = [
        enqueue(db, locale="en"),
        enqueue(db, locale="fr", template="refund_rejected"),
        enqueue(db, template="refund_received"),
    ]
    relay = OutboxRelay(db, relay_config(smtp_server.port))

    report = relay.deliver_due()
    again = relay.deliver_due()

    assert (report.claimed, report.sent, again.claimed) == (3, 3, 0)
    assert sorted(smtp_server.message_ids()) == sorted(expected_id(k) for k in keys)
    for key in keys:
        row = outbox_row(db, key)
        assert row.sent_at is not None and row.attempts == 1
        assert (row.claimed_by, row.claimed_until, row.last_error, row.failed_at) == (None, None, None, None)
    french = next(m for m in smtp_server.messages() if m["Message-ID"] == expected_id(keys[1]))
    assert french["Subject"].startswith("Votre demande de remboursement")
    assert french["Delivered-To"] == "ada@example.com"
    assert "droit de la consommation" in french.get_content()


def test_server_down_backs_off_then_delivers_exactly_once(db: Database, stopped_smtp_server: SmtpServer) -> None:
    key = enqueue(db)
    relay = OutboxRelay(db, relay_config(stopped_smtp_server.port, retry_base=timedelta(seconds=0.4)))

    before = datetime.now(UTC)
    first = relay.deliver_due()
    row = outbox_row(db, key)
    assert (first.retried, row.attempts, row.sent_at) == (1, 1, None)
    assert "cannot reach SMTP server" in row.last_error
    assert before + timedelta(seconds=0.4) <= row.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=0.4)
    assert relay.deliver_due().claimed == 0, "retried before its backoff ended"

    wait_until_due(db, key)
    before = datetime.now(UTC)
    relay.deliver_due()
    row = outbox_row(db, key)
    assert row.attempts == 2
    assert row.next_attempt_at >= before + timedelta(seconds=0.8), "the second wait should be twice the first"

    stopped_smtp_server.start()
    wait_until_due(db, key)
    assert relay.deliver_due().sent == 1
    assert relay.deliver_due().claimed == 0
    assert stopped_smtp_server.message_ids() == [expected_id(key)]
    row = outbox_row(db, key)
    assert (row.attempts, row.last_error) == (3, None) and row.sent_at is not None


def test_server_stopped_and_restarted_on_the_same_port(db: Database, smtp_server: SmtpServer) -> None:
    relay = OutboxRelay(db, relay_config(smtp_server.port))
    early = enqueue(db)
    assert relay.deliver_due().sent == 1

    smtp_server.stop()
    late = enqueue(db)
    assert relay.deliver_due().retried == 1
    smtp_server.start()
    wait_until_due(db, late)
    assert relay.deliver_due().sent == 1

    assert sorted(smtp_server.message_ids()) == sorted([expected_id(early), expected_id(late)])


async def test_running_relay_waits_out_an_outage_and_stops_cleanly(
    db: Database, stopped_smtp_server: SmtpServer
) -> None:
    key = enqueue(db)
    relay = OutboxRelay(db, relay_config(stopped_smtp_server.port, retry_base=timedelta(seconds=0.2)))
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.to_thread(wait_until, lambda: outbox_row(db, key).attempts >= 2, 10, "two failed attempts")
        assert outbox_row(db, key).sent_at is None
        await asyncio.to_thread(stopped_smtp_server.start)
        await asyncio.to_thread(wait_until, lambda: outbox_row(db, key).sent_at is not None, 10, "delivery")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    assert stopped_smtp_server.message_ids() == [expected_id(key)]
    assert outbox_row(db, key).attempts >= 3


def _deliver_until_empty(url: str, port: int, barrier: threading.Barrier, sent: list[str], claims: list[int]) -> None:
    """One relay with its own engine (as another worker process would have), passing until nothing is due."""
    database = Database(url)
    relay = OutboxRelay(database, relay_config(port, batch_size=3))
    try:
        barrier.wait()
        while (report := relay.deliver_due()).claimed:
            sent.extend(report.keys_sent)
            claims.append(report.claimed)
    finally:
        database.dispose()


def test_two_concurrent_relays_deliver_each_message_once(any_db_url: str, smtp_server: SmtpServer) -> None:
    smtp_server.handler.delay = 0.02  # each send takes a moment, so the two relays' passes overlap
    setup = Database(any_db_url)
    keys = [enqueue(setup, to=f"customer{i}@example.com") for i in range(30)]
    barrier = threading.Barrier(2)
    sent_by: tuple[list[str], list[str]] = ([], [])
    claims: list[int] = []
    threads = [
        threading.Thread(target=_deliver_until_empty, args=(any_db_url, smtp_server.port, barrier, sent, claims))
        for sent in sent_by
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = smtp_server.message_ids()
    assert len(ids) == 30 and set(ids) == {expected_id(k) for k in keys}, "a message was lost or sent twice"
    assert sorted(sent_by[0] + sent_by[1]) == sorted(keys)
    assert sent_by[0] and sent_by[1], "both relays should have taken part"
    assert max(claims) <= 3, "a pass claimed more than its batch"
    assert all(outbox_row(setup, k).attempts == 1 for k in keys)
    setup.dispose()


def test_permanent_refusal_is_recorded_and_not_retried(any_db: Database, smtp_server: SmtpServer) -> None:
    db = any_db
    bad = enqueue(db, to=f"nobody@{REFUSED_DOMAIN}")
    good = enqueue(db)
    relay = OutboxRelay(db, relay_config(smtp_server.port, retry_base=timedelta(seconds=0.1)))

    report = relay.deliver_due()

    assert (report.sent, report.given_up) == (1, 1)
    row = outbox_row(db, bad)
    assert row.failed_at is not None and row.sent_at is None and row.attempts == 1
    assert row.last_error.startswith("recipient refused: 550")
    wait_until(lambda: datetime.now(UTC) > row.next_attempt_at + timedelta(seconds=0.2), what="backoff to pass")
    assert relay.deliver_due().claimed == 0
    assert smtp_server.message_ids() == [expected_id(good)]


def test_temporary_refusals_are_retried_then_given_up_after_max_attempts(db: Database, smtp_server: SmtpServer) -> None:
    key = enqueue(db, to=f"someone@{GREYLIST_DOMAIN}")
    relay = OutboxRelay(db, relay_config(smtp_server.port, retry_base=timedelta(seconds=0.1), max_attempts=3))

    outcomes = []
    for _ in range(3):
        wait_until_due(db, key)
        report = relay.deliver_due()
        outcomes.append((report.retried, report.given_up))

    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    row = outbox_row(db, key)
    assert row.attempts == 3 and row.failed_at is not None and "451" in row.last_error
    assert smtp_server.message_ids() == []


@pytest.mark.parametrize(
    ("to", "template", "error"),
    [("", "refund_issued", "not an email address"), ("ada@example.com", "refund_teleported", "no email template")],
)
def test_unsendable_messages_are_given_up_without_contacting_the_server(
    db: Database, stopped_smtp_server: SmtpServer, to: str, template: str, error: str
) -> None:
    key = enqueue(db, to=to, template=template)
    report = OutboxRelay(db, relay_config(stopped_smtp_server.port)).deliver_due()
    row = outbox_row(db, key)
    assert report.given_up == 1 and row.failed_at is not None and error in row.last_error


def test_a_crashed_relays_claim_is_taken_over_once_its_lease_lapses(any_db: Database, smtp_server: SmtpServer) -> None:
    db = any_db
    key = enqueue(db)
    now = datetime.now(UTC)
    # A relay claimed the message and died before sending it.
    claimed = db.transact(lambda s: outbox.claim_due(s, "crashed-relay", now, now + timedelta(seconds=0.5), 10))
    assert [m.message_key for m in claimed] == [key]
    relay = OutboxRelay(db, relay_config(smtp_server.port))
    assert relay.deliver_due().claimed == 0, "a live lease must be respected"

    wait_until(lambda: datetime.now(UTC) > now + timedelta(seconds=0.5), what="the lease to lapse")
    assert relay.deliver_due().sent == 1
    assert smtp_server.message_ids() == [expected_id(key)]


def test_crash_between_smtp_accept_and_commit_resends_with_the_same_message_id(
    db: Database, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The documented at-least-once boundary: the duplicate is detectable by its Message-ID."""
    key = enqueue(db)
    now = datetime.now(UTC)
    [message] = db.transact(lambda s: outbox.claim_due(s, "doomed-relay", now, now + timedelta(seconds=0.5), 10))
    email = compose(
        message_key=message.message_key,
        to_email=message.to_email,
        mail_from=MAIL_FROM,
        rendered=render(message.template, message.locale, message.context),
    )
    connection = smtp.connect(relay_config(smtp_server.port).smtp, 2.0)
    smtp.send(connection, email, "refunds@shop.test")  # the server said 250 ...
    smtp.quit_quietly(connection)  # ... and the process died before recording it

    wait_until(lambda: datetime.now(UTC) > now + timedelta(seconds=0.5), what="the lease to lapse")
    assert OutboxRelay(db, relay_config(smtp_server.port)).deliver_due().sent == 1
    assert smtp_server.message_ids() == [expected_id(key), expected_id(key)]


def test_shutdown_hands_claimed_messages_back_unattempted(db: Database, smtp_server: SmtpServer) -> None:
    keys = [enqueue(db) for _ in range(3)]
    report = OutboxRelay(db, relay_config(smtp_server.port)).deliver_due(should_stop=lambda: True)
    assert (report.claimed, report.released, report.sent) == (3, 3, 0)
    rows = [outbox_row(db, k) for k in keys]
    assert all(r.claimed_by is None and r.attempts == 0 and r.sent_at is None for r in rows)
    assert OutboxRelay(db, relay_config(smtp_server.port)).deliver_due().sent == 3


async def test_empty_smtp_url_leaves_messages_queued_with_a_warning(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    key = enqueue(db)
    relay = OutboxRelay(db, relay_config(0, smtp=None))
    with caplog.at_level(logging.WARNING, logger="notifications.relay"):
        await asyncio.wait_for(relay.run(asyncio.Event()), timeout=5)
    assert "SMTP_URL is empty" in caplog.text
    assert relay.deliver_due().claimed == 0
    row = outbox_row(db, key)
    assert (row.sent_at, row.attempts, row.claimed_by) == (None, 0, None)


def test_logs_carry_the_key_but_never_the_body_or_the_address(
    db: Database, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    sent = enqueue(db, to="ada@example.com")
    refused = enqueue(db, to=f"nobody@{REFUSED_DOMAIN}")
    with caplog.at_level(logging.DEBUG, logger="notifications.relay"):
        OutboxRelay(db, relay_config(smtp_server.port)).deliver_due()
    records = [r for r in caplog.records if r.name == "notifications.relay"]
    assert {getattr(r, "message_key", None) for r in records} == {sent, refused}
    text = caplog.text + " ".join(str(vars(r)) for r in records)
    assert "ada@example.com" not in text and f"nobody@{REFUSED_DOMAIN}" not in text
    assert "Depending on your bank" not in text
