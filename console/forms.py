"""What people type into the console's forms, checked as the API checks its JSON."""

from __future__ import annotations

from domain.money import minor_units
from domain.text import first_unsafe_character
from services.errors import InvalidInput


def text(value: str | None, label: str) -> str | None:
    """A note or reference as typed (browsers send CRLF line ends); None when left empty."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").strip()
    if not value:
        return None
    if first_unsafe_character(value) is not None:
        raise InvalidInput(f"The {label} holds a control character; type it again as plain text.")
    return value


def required_text(value: str | None, label: str) -> str:
    """A field that must not be left empty."""
    cleaned = text(value, label)
    if cleaned is None:
        raise InvalidInput(f"Give a {label}.")
    return cleaned


def amount(value: str | None, currency: str) -> int | None:
    """An amount typed in major units ('12.50') as minor units; None when left empty."""
    if value is None or not value.strip():
        return None
    try:
        return minor_units(value, currency)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
