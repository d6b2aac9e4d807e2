"""Wrap a rendered email in MIME, with the outbox message key as its Message-ID."""

from __future__ import annotations

import re
import string
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr

from notifications.templates import RenderedEmail

# RFC 5322 atext minus '=', which escapes every other character, so distinct keys give distinct ids.
_ATEXT = set(string.ascii_letters + string.digits + "!#$%&'*+-/?^_`{|}~.")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


class AddressError(ValueError):
    """A recipient or sender address no SMTP server could accept; retrying will not help."""


def sender_address(mail_from: str) -> str:
    """The bare address of MAIL_FROM ('Refunds <refunds@shop.example>' → 'refunds@shop.example')."""
    address = parseaddr(mail_from)[1]
    if not _ADDRESS.match(address):
        raise AddressError(f"MAIL_FROM {mail_from!r} has no usable email address")
    return address


def message_id(message_key: str, domain: str) -> str:
    """'<rf_1=3A4=3Arefund_issued@shop.example>': the same key always gives the same Message-ID."""
    local = "".join(ch if ch in _ATEXT else "".join(f"={b:02X}" for b in ch.encode()) for ch in message_key)
    # Dots may not start, end or repeat in a dot-atom.
    local = re.sub(r"\.(?=\.)|^\.|\.$", "=2E", local)
    return f"<{local}@{domain}>"


def compose(*, message_key: str, to_email: str, mail_from: str, rendered: RenderedEmail) -> EmailMessage:
    """A plain-text UTF-8 email marked as automatic, identified by its outbox key."""
    if not _ADDRESS.match(to_email or ""):
        raise AddressError(f"recipient address {to_email!r} is not an email address")
    domain = sender_address(mail_from).rsplit("@", 1)[1]
    email = EmailMessage(policy=SMTP)
    email.set_content(rendered.body)  # first: set_content drops any Content-* header already set
    email["From"] = mail_from
    email["To"] = to_email
    email["Subject"] = rendered.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message_key, domain)
    email["Content-Language"] = rendered.locale
    # RFC 3834: tells auto-responders (out-of-office) not to answer.
    email["Auto-Submitted"] = "auto-generated"
    email["X-Outbox-Key"] = message_key
    return email
