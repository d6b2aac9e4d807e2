"""API key authentication: any test secret key (`sk_test_...`, `rk_test_...`), as Bearer or Basic auth."""

from __future__ import annotations

import base64

from stripe_emulator.errors import StripeError

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer "
    "auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
    "details, or we can help at https://support.stripe.com/."
)
_ACCEPTED_PREFIXES = ("sk_test_", "rk_test_")


def _masked(key: str) -> str:
    """The key as Stripe echoes it in errors: prefix, stars, last four characters."""
    if len(key) <= 12:
        return "*" * len(key)
    return f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}"


def _unauthorized(message: str) -> StripeError:
    """Stripe's 401 answer."""
    return StripeError(401, message, headers={"WWW-Authenticate": 'Basic realm="Stripe"'}, saved=False)


def api_key_from(header: str | None) -> str:
    """The API key of a request, or a 401 StripeError."""
    if not header or not header.strip():
        raise _unauthorized(NO_KEY)
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            value = base64.b64decode(value).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            raise _unauthorized("Invalid API Key provided: the Basic credentials could not be decoded.") from None
    elif scheme.lower() != "bearer":
        raise _unauthorized(
            "Invalid Authorization header: expected 'Authorization: Bearer YOUR_SECRET_KEY'. See "
            "https://stripe.com/docs/api#authentication for details."
        )
    if not value:
        raise _unauthorized(NO_KEY)
    if not value.startswith(_ACCEPTED_PREFIXES) or len(value) <= len("sk_test_"):
        raise _unauthorized(f"Invalid API Key provided: {_masked(value)}")
    return value
