"""`python -m notifications.sink`: the embedded stack's SMTP server keeps every email as a readable file."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from outbox_support import free_port, wait_until

from core.settings import REPO_ROOT


def _accepts_connections(port: int) -> bool:
    """True once something listens on the port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _email(subject: str, to: str) -> EmailMessage:
    """A small email like the relay sends."""
    email = EmailMessage()
    email["From"] = "Refunds <refunds@shop.test>"
    email["To"] = to
    email["Subject"] = subject
    email["Message-ID"] = f"<{abs(hash(subject))}@shop.test>"
    email.set_content("Bonjour,\n\nVotre remboursement de 12,00 EUR est en route.\n")
    return email


def test_sink_stores_each_message_as_a_file_and_logs_one_line(tmp_path: Path) -> None:
    maildir = tmp_path / "mail"
    maildir.mkdir()  # an existing, empty folder (as `mkdir -p var/mail` leaves it) must work too
    port = free_port()
    log_path = tmp_path / "sink.log"
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "notifications.sink", "--port", str(port), "--maildir", str(maildir)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _accepts_connections(port), timeout=20, what="the sink to listen")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.send_message(_email("Votre remboursement de 12,00 EUR est en route", "zoe@example.fr"))
            client.send_message(_email("Your refund of 12.00 EUR has been approved", "ada@example.com"))
        wait_until(lambda: len(list((maildir / "new").iterdir())) == 2, timeout=10, what="two stored emails")
    finally:
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=10)

    assert exit_code == 0
    stored = [message_from_bytes(path.read_bytes(), policy=default_policy) for path in (maildir / "new").iterdir()]
    by_recipient = {str(message["Delivered-To"]): message for message in stored}
    assert set(by_recipient) == {"zoe@example.fr", "ada@example.com"}
    assert by_recipient["zoe@example.fr"]["Subject"] == "Votre remboursement de 12,00 EUR est en route"
    assert by_recipient["zoe@example.fr"]["Return-Path"] == "<refunds@shop.test>"
    assert "12,00 EUR est en route" in by_recipient["zoe@example.fr"].get_content()

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    received = [line for line in lines if line["msg"] == "mail received"]
    assert len(received) == 2
    assert all(Path(line["file"]).exists() and line["message_id"] for line in received)
    assert not [line for line in lines if line["logger"] == "mail.log"], (
        "aiosmtpd's per-command chatter should be quiet"
    )
    assert any(line["msg"] == "SMTP sink stopped" for line in lines)
