"""Stripe-like identifiers: a type prefix and random base62 characters."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int = 24) -> str:
    """Random base62 characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str) -> str:
    """An object ID such as `re_3Pq...`; the `1` mimics Stripe's version digit."""
    return f"{prefix}_1{random_token(23)}"


def new_request_id() -> str:
    """A request ID for the `Request-Id` header and events."""
    return f"req_{random_token(14)}"


def new_webhook_secret() -> str:
    """A webhook signing secret in Stripe's format."""
    return f"whsec_{random_token(32)}"
