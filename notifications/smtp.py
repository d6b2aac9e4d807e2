"""SMTP delivery with the standard library: the server named by SMTP_URL, and which failures are worth a retry."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal
from urllib.parse import unquote, urlsplit

Security = Literal["plain", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to hand emails over."""

    host: str
    port: int
    security: Security = "plain"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def redacted(self) -> str:
        """The URL without its password, for logs."""
        scheme = next(name for name, (security, _) in _SCHEMES.items() if security == self.security)
        user = f"{self.username}:***@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


class SmtpFailure(Exception):
    """Delivery did not happen; `permanent` says whether a retry could ever succeed."""

    def __init__(self, message: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection_lost = connection_lost


def parse_smtp_url(url: str) -> SmtpTarget | None:
    """SMTP_URL → target; an empty URL means delivery is switched off (None)."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"SMTP_URL must start with {', '.join(s + '://' for s in _SCHEMES)}; got {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host, e.g. smtp://127.0.0.1:1025")
    security, default_port = _SCHEMES[parts.scheme]
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def connect(target: SmtpTarget, timeout: float) -> smtplib.SMTP:
    """An authenticated SMTP session; any failure here is the server's or the network's, so transient."""
    try:
        if target.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(target.host, target.port, timeout=timeout)
        try:
            if target.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if target.username:
                connection.login(target.username, target.password or "")
        except BaseException:
            connection.close()
            raise
    except (smtplib.SMTPException, OSError) as error:
        raise SmtpFailure(
            f"cannot reach SMTP server {target.redacted()}: {_describe(error)}", permanent=False, connection_lost=True
        ) from error
    return connection


def send(connection: smtplib.SMTP, email: EmailMessage, sender: str) -> None:
    """Hand one email over; returns only once the server accepted it for delivery."""
    try:
        connection.send_message(email, from_addr=sender)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise SmtpFailure(f"recipient refused: {code} {_text(text)}", permanent=code >= 500) from error
    except smtplib.SMTPSenderRefused as error:
        # A refused MAIL FROM is our configuration, not this customer's address: retry once it is fixed.
        raise SmtpFailure(f"sender refused: {error.smtp_code} {_text(error.smtp_error)}", permanent=False) from error
    except smtplib.SMTPDataError as error:
        raise SmtpFailure(
            f"message refused: {error.smtp_code} {_text(error.smtp_error)}", permanent=error.smtp_code >= 500
        ) from error
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        raise SmtpFailure(f"connection lost: {_describe(error)}", permanent=False, connection_lost=True) from error
    except smtplib.SMTPException as error:
        raise SmtpFailure(f"SMTP error: {_describe(error)}", permanent=False, connection_lost=True) from error


def quit_quietly(connection: smtplib.SMTP) -> None:
    """Say goodbye; a server that already hung up is no error."""
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _describe(error: BaseException) -> str:
    """Class and message of an exception, never credentials (smtplib does not echo them)."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _text(value: bytes | str) -> str:
    """An SMTP reply text as str."""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
