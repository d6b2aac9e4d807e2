"""`python -m notifications.sink --port 1025 --maildir var/mail`:
a local SMTP server that keeps every email in a Maildir.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import mailbox
import signal
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("notifications.sink")


class MaildirSink:
    """aiosmtpd handler: accept every message and store it as one file under <maildir>/new/."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        # Maildir(create=True) skips the subfolders when the folder already exists (e.g. an empty var/mail).
        for sub in ("tmp", "new", "cur"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(self.directory, factory=None, create=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the message with its envelope (as a delivery agent would) and log one line."""
        content = envelope.original_content or b""
        envelope_headers = f"Return-Path: <{envelope.mail_from}>\r\n" + "".join(
            f"Delivered-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos
        )
        # Written on the event loop thread: files are small, and mailbox's unique names are not thread-safe.
        path = self.store(envelope_headers.encode() + content)
        headers = BytesHeaderParser(policy=default_policy).parsebytes(content)
        log.info(
            "mail received",
            extra={
                "mail_from": envelope.mail_from,
                "rcpt_to": list(envelope.rcpt_tos),
                "subject": str(headers.get("Subject", "")),
                "message_id": str(headers.get("Message-ID", "")),
                "file": str(path),
            },
        )
        return "250 Message accepted for delivery"

    def store(self, raw: bytes) -> Path:
        """Write atomically (Maildir's tmp/ then new/) and return the file's path."""
        key = self.maildir.add(raw)
        return self.directory / "new" / key


async def serve(host: str, port: int, directory: Path, stop: asyncio.Event) -> None:
    """Listen until `stop` is set."""
    handler = MaildirSink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="refund-smtp-sink", enable_SMTPUTF8=True, decode_data=False), host, port
    )
    log.info("SMTP sink listening", extra={"host": host, "port": port, "maildir": str(directory.resolve())})
    async with server:
        await stop.wait()
    log.info("SMTP sink stopped")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, log like the other processes, stop cleanly on SIGINT/SIGTERM."""
    from core.logs import configure_logging
    from core.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m notifications.sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, default=Path("var/mail"), help="stored as <maildir>/new/<file>")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    # aiosmtpd logs every SMTP command at INFO; one line per stored message is what people want to see.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(args.host, args.port, args.maildir, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
