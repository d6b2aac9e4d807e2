"""Signed, expiring links naming one refund: what a customer email carries instead of an account."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

# Another use of the same key (a future link kind) cannot be replayed as a refund page link.
SALT = "refund-page"
PAGE_PATH = "/my-refund/"


class BadLink(Exception):
    """The link was not signed by us (mistyped, cut short, forged): no page behind it."""


class ExpiredLink(Exception):
    """A link we signed, but older than its validity."""


def _serializer(key: bytes, clock: Callable[[], float]) -> URLSafeTimedSerializer:
    """itsdangerous's URL-safe timed serializer, reading the time from `clock` (tests move it)."""

    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return URLSafeTimedSerializer(key, salt=SALT, signer=ClockedSigner)


def sign_refund(key: bytes, refund_id: str, *, clock: Callable[[], float] = time.time) -> str:
    """A token naming this refund, stamped with the time it was signed."""
    return _serializer(key, clock).dumps(refund_id)


def refund_of(key: bytes, token: str, validity: timedelta, *, clock: Callable[[], float] = time.time) -> str:
    """The refund a token names; BadLink or ExpiredLink when it cannot open the page."""
    try:
        refund_id = _serializer(key, clock).loads(token, max_age=int(validity.total_seconds()))
    except SignatureExpired as error:
        raise ExpiredLink() from error
    except BadSignature as error:
        raise BadLink() from error
    if not isinstance(refund_id, str):
        raise BadLink()
    return refund_id


def page_url(base_url: str, key: bytes, refund_id: str) -> str:
    """The address of the refund's page, as a customer email links it."""
    return base_url.rstrip("/") + PAGE_PATH + sign_refund(key, refund_id)
