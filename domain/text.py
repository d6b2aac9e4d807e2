"""Text as people type it: free of the control characters a database refuses (NUL) or a terminal obeys (ESC)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, Field

# Line breaks and tabs are how people lay out a note; every other control character is refused.
LAYOUT = frozenset("\n\t")
# Bidirectional overrides make a note read differently from what it holds ("Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_unsafe(character: str) -> bool:
    """A control character (other than layout), a lone surrogate or a bidirectional override."""
    if character in LAYOUT:
        return False
    # Cc: C0/C1 controls (NUL, ESC, CSI, ...); Cs: lone surrogates, which cannot be stored as UTF-8.
    return unicodedata.category(character) in ("Cc", "Cs") or character in BIDI_CONTROLS


def first_unsafe_character(value: str) -> str | None:
    """The first unsafe character of `value`, if any."""
    return next((character for character in value if is_unsafe(character)), None)


def escaped(value: str) -> str:
    """`value` with each unsafe character written as its escape (ESC as \\x1b), to show text we did not check."""
    return "".join(_escape(character) if is_unsafe(character) else character for character in value)


def _escape(character: str) -> str:
    """'\\x1b', '\\u202e': what Python would write for the character."""
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _plain(value: str) -> str:
    """Accept text without unsafe characters; CRLF line ends (pasted from Windows) become LF."""
    value = value.replace("\r\n", "\n")
    unsafe = first_unsafe_character(value)
    if unsafe is not None:
        raise ValueError(
            f"contains the control character U+{ord(unsafe):04X}, which cannot be stored or shown safely; remove it"
        )
    return value


# What the schema tells clients (and schemathesis): no character is_unsafe refuses. Only documented, never matched:
# the validator above answers with a sentence naming the character, and turns CRLF into LF first. Lone surrogates are
# left out: a valid JSON or URL text cannot carry them, and regex engines of other languages refuse the range.
SAFE_TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"


def _document_safe_text(schema: dict[str, Any]) -> None:
    """Say in the schema which characters are refused, unless a stricter pattern of the field already does."""
    schema.setdefault("pattern", SAFE_TEXT_PATTERN)


# The one text type of every input: bodies, query and path parameters, headers. Lengths are set where it is used.
PlainText = Annotated[str, AfterValidator(_plain), Field(json_schema_extra=_document_safe_text)]
