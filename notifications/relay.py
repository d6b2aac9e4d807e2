"""The outbox relay: lease due emails, send them by SMTP, record each outcome, back off on failure.

Delivery is at least once, never "exactly once": a message is marked sent only after the SMTP server
accepted it, in a short transaction right after. If the process dies (or the database is unreachable)
between the server's 250 and that commit, the lease lapses and the message is sent again. Both copies
carry the outbox key as their Message-ID, so the duplicate is detectable (and many mail stores fold
it). The window is one message per crash: each acceptance is recorded before the next send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial

from core.settings import MissingSigningKey, Settings
from customer_pages.links import page_url
from notifications import outbox, smtp
from notifications.compose import AddressError, compose, sender_address
from notifications.smtp import SmtpFailure, SmtpTarget, parse_smtp_url
from notifications.templates import TemplateError, render
from store.db import Database
from store.refund_tables import OutboxMessage
from store.types import utcnow

log = logging.getLogger("notifications.relay")

# One send is MAIL, RCPT, DATA, the body and its reply: at most this many SMTP timeouts.
_SEND_TIMEOUTS = 5


@dataclass(frozen=True)
class RelayConfig:
    """How the relay delivers; built once from settings, or directly by tests."""

    smtp: SmtpTarget | None
    mail_from: str
    poll_seconds: float = 5.0
    batch_size: int = 20
    # With a 30 s base and a 1 h cap, 40 attempts span about a day and a half of failures.
    max_attempts: int = 40
    smtp_timeout: float = 15.0
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    # The refund page's link for a refund id (customer_pages.links); None sends emails without it.
    page_link: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        """Fail at start-up, with the setting's name, rather than on the first email."""
        sender_address(self.mail_from)
        if self.lease.total_seconds() < 2 * _SEND_TIMEOUTS * self.smtp_timeout:
            raise ValueError("the outbox lease must outlast a slow send: raise it or lower SMTP_TIMEOUT_SECONDS")

    @classmethod
    def from_settings(cls, settings: Settings) -> RelayConfig:
        """The relay configuration the worker runs with."""
        return cls(
            smtp=parse_smtp_url(settings.smtp_url.get_secret_value()),
            mail_from=settings.mail_from,
            poll_seconds=settings.outbox_poll_seconds,
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            smtp_timeout=settings.smtp_timeout_seconds,
            page_link=_page_link(settings),
        )


def _page_link(settings: Settings) -> Callable[[str], str] | None:
    """Links to refund pages signed with the settings' key; None without one (emails then go without the link)."""
    try:
        key = settings.link_key()
    except MissingSigningKey:
        return None
    return partial(page_url, settings.public_api_url, key)


def backoff_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Wait after the n-th failed attempt: base, 2×base, 4×base, ... never more than cap."""
    return min(cap, base * (2 ** min(max(attempts - 1, 0), 30)))


@dataclass
class PassReport:
    """What one delivery pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    given_up: int = 0
    released: int = 0
    keys_sent: list[str] = field(default_factory=list)


class OutboxRelay:
    """Delivers the outbox; several relays (processes) may run against one database."""

    def __init__(self, database: Database, config: RelayConfig, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.config = config
        self._clock = clock
        self._sender = sender_address(config.mail_from)
        self._name = f"{socket.gethostname()[:24]}:{os.getpid()}"

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; the pass in flight finishes its current email and hands back the rest."""
        if self.config.smtp is None:
            log.warning("SMTP_URL is empty: customer emails stay queued in the outbox until it is set")
            return
        log.info(
            "outbox relay started",
            extra={"smtp": self.config.smtp.redacted(), "poll_seconds": self.config.poll_seconds, "relay": self._name},
        )
        while not stop.is_set():
            try:
                report = await asyncio.to_thread(self.deliver_due, stop.is_set)
            except Exception:
                log.exception("outbox relay pass failed; trying again after the poll interval")
                report = None
            if report and report.claimed == self.config.batch_size and not report.released:
                continue  # a full batch: more may be due right now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)
        log.info("outbox relay stopped", extra={"relay": self._name})

    def deliver_due(self, should_stop: Callable[[], bool] = lambda: False) -> PassReport:
        """One pass: lease a batch of due emails, send them over one SMTP session, record each outcome."""
        if self.config.smtp is None:
            return PassReport()
        started = self._clock()
        token = f"{self._name}:{uuid.uuid4().hex[:12]}"
        lease_end = started + self.config.lease
        claimed = self.database.transact(
            lambda session: outbox.claim_due(session, token, started, lease_end, self.config.batch_size)
        )
        report = PassReport(claimed=len(claimed))
        ready: list[tuple[OutboxMessage, EmailMessage]] = []
        for message in claimed:
            try:
                ready.append((message, self._compose(message)))
            except (TemplateError, AddressError) as error:
                self._failed(message, token, SmtpFailure(str(error), permanent=True), report)
        if ready:
            self._send_all(ready, token, lease_end, should_stop, report)
        return report

    def _send_all(self, ready, token: str, lease_end: datetime, should_stop, report: PassReport) -> None:
        """Send on one connection; stop early (handing messages back) on shutdown, a short lease or a lost link."""
        try:
            assert self.config.smtp is not None, "the relay sends only when SMTP_URL is set"
            connection = smtp.connect(self.config.smtp, self.config.smtp_timeout)
        except SmtpFailure as error:
            log.warning(
                "SMTP server unreachable; emails will be retried", extra={"error": str(error), "emails": len(ready)}
            )
            for message, _ in ready:
                self._failed(message, token, error, report, quiet=True)
            return
        budget = timedelta(seconds=_SEND_TIMEOUTS * self.config.smtp_timeout)
        try:
            for index, (message, email) in enumerate(ready):
                if should_stop() or self._clock() + budget > lease_end:
                    self._release([m.id for m, _ in ready[index:]], token, report)
                    return
                try:
                    smtp.send(connection, email, self._sender)
                except SmtpFailure as error:
                    self._failed(message, token, error, report)
                    if error.connection_lost:
                        self._release([m.id for m, _ in ready[index + 1 :]], token, report)
                        return
                    continue
                self._sent(message, token, report)
        finally:
            smtp.quit_quietly(connection)

    def _compose(self, message: OutboxMessage) -> EmailMessage:
        """Render the template and wrap it; errors here are permanent."""
        link = self.config.page_link
        page_url = link(message.refund_id) if link and message.refund_id else None
        rendered = render(message.template, message.locale, message.context, page_url)
        return compose(
            message_key=message.message_key,
            to_email=message.to_email,
            mail_from=self.config.mail_from,
            rendered=rendered,
        )

    def _sent(self, message: OutboxMessage, token: str, report: PassReport) -> None:
        """Record the server's acceptance right away: this commit is the at-least-once boundary."""
        now, message_id = self._clock(), _stored_id(message)
        kept_lease = self.database.transact(lambda session: outbox.mark_sent(session, message_id, token, now))
        report.sent += 1
        report.keys_sent.append(message.message_key)
        log.info("email sent", extra=self._about(message, attempts=message.attempts + 1))
        if not kept_lease:
            log.warning(
                "email lease had lapsed before it was recorded: it may be delivered twice", extra=self._about(message)
            )

    def _failed(
        self, message: OutboxMessage, token: str, error: SmtpFailure, report: PassReport, *, quiet: bool = False
    ) -> None:
        """Back off and retry, or give up for good on a permanent refusal or too many attempts."""
        now, message_id = self._clock(), _stored_id(message)
        attempts = message.attempts + 1
        # Servers echo the address in refusals; logs keep only its domain.
        about = self._about(
            message, attempts=attempts, error=str(error).replace(message.to_email or "\0", "<recipient>")
        )
        if error.permanent or attempts >= self.config.max_attempts:
            self.database.transact(lambda session: outbox.mark_given_up(session, message_id, token, str(error), now))
            report.given_up += 1
            log.error("email given up: it will not be retried", extra={**about, "permanent": error.permanent})
            return
        retry_at = now + backoff_delay(attempts, self.config.retry_base, self.config.retry_cap)
        self.database.transact(lambda session: outbox.mark_retry(session, message_id, token, str(error), retry_at))
        report.retried += 1
        if not quiet:
            log.warning("email delivery failed; will retry", extra={**about, "retry_at": retry_at.isoformat()})

    def _release(self, message_ids: list[int], token: str, report: PassReport) -> None:
        """Give unattempted messages back for the next pass (this relay's or another's)."""
        self.database.transact(lambda session: outbox.release(session, message_ids, token))
        report.released += len(message_ids)

    @staticmethod
    def _about(message: OutboxMessage, **extra) -> dict:
        """Log context for one email: never its body, and only the recipient's domain."""
        return {
            "message_key": message.message_key,
            "refund_id": message.refund_id,
            "template": message.template,
            "locale": message.locale,
            "to_domain": message.to_email.rpartition("@")[2] or None,
            **extra,
        }


def _stored_id(message: OutboxMessage) -> int:
    """The id of a message read from the database (only unsaved rows lack one)."""
    assert message.id is not None
    return message.id
