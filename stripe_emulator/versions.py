"""The `Stripe-Version` header: a dated API version (`2023-08-16`, `2026-10-28.endive`), else Stripe's 400."""

from __future__ import annotations

import datetime
import re

from stripe_emulator.errors import invalid

# The version of the OpenAPI spec the emulator's shapes are checked against.
SPEC_VERSION = "2023-08-16"
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(\.[a-z]+)?$")


def valid_api_version(value: str) -> bool:
    """Whether a header value is a real calendar date, optionally with a release name (`.acacia`, `.basil`...)."""
    found = _DATED.match(value.strip())
    if not found:
        return False
    try:
        datetime.date.fromisoformat(found.group(1))
    except ValueError:
        return False
    return True


def check_api_version(value: str | None, default: str) -> None:
    """Refuse a malformed `Stripe-Version` as Stripe does (absent means the account's default version)."""
    if value is None or valid_api_version(value):
        return
    raise invalid(
        f"Invalid Stripe API version: {value}. Use a version such as {SPEC_VERSION} or {default} "
        "(see https://docs.stripe.com/api/versioning)."
    )
