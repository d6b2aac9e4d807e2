"""The text pattern the API documents refuses exactly what the validator refuses, in every client's regex engine."""

from __future__ import annotations

import re

import jsonschema_rs

from domain.text import SAFE_TEXT_PATTERN, is_unsafe

# Every character a JSON text or a URL can carry (lone surrogates cannot be encoded).
CHARACTERS = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]


def test_the_documented_pattern_refuses_what_the_validator_refuses() -> None:
    pattern = re.compile(SAFE_TEXT_PATTERN)
    disagree = [hex(ord(c)) for c in CHARACTERS if bool(pattern.match(c)) is is_unsafe(c) and c != "\r"]
    assert disagree == []
    assert not pattern.match("\r")  # refused alone; CRLF becomes LF before the validator looks


def test_the_pattern_is_a_regex_other_engines_accept() -> None:
    # schemathesis and most JSON Schema validators compile it with Rust's or ECMAScript's engine, not Python's.
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": SAFE_TEXT_PATTERN})
    assert validator.is_valid("a note\n\twith layout") and not validator.is_valid("ESC \x1b[31m")
