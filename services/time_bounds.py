"""Times that cannot be true are refused at the door, with a sentence saying which one and why.

Every use case taking a time from outside (the shop's paid_at, an agent's contact time) checks it here first; the
times are compared, never converted, so one that has no UTC equivalent (0001-01-01T00:00:00+14:00) is refused too.
"""

from __future__ import annotations

from datetime import datetime

from domain.instants import CLOCK_SKEW, EARLIEST_TRUE_TIME
from services.errors import InvalidInput

_FLOOR = EARLIEST_TRUE_TIME.date().isoformat()


def check_paid_at(paid_at: datetime, now: datetime) -> None:
    """A payment time is neither in the future nor before the shop existed."""
    if paid_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"paid_at {paid_at.isoformat()} is in the future; give the time the customer's payment succeeded",
            code="paid_in_future",
        )
    if paid_at < EARLIEST_TRUE_TIME:
        raise InvalidInput(
            f"paid_at {paid_at.isoformat()} is before {_FLOOR}, earlier than any payment this shop took; "
            "check the date",
            code="paid_too_early",
        )


def check_activated_at(activated_at: datetime, now: datetime) -> None:
    """Activation details cannot have been sent in the future (that they follow payment is checked with the order)."""
    if activated_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"activated_at {activated_at.isoformat()} is in the future; give the time the activation details were sent",
            code="activation_in_future",
        )


def check_contact_time(
    field: str, contacted_at: datetime, now: datetime, *, first_paid_at: datetime | None = None
) -> None:
    """A contact time is not in the future, nor before the shop existed, nor before the customer first paid if given."""
    if contacted_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"{field} {contacted_at.isoformat()} is in the future; give the time the customer contacted us",
            code="contact_in_future",
        )
    if contacted_at < EARLIEST_TRUE_TIME:
        raise InvalidInput(
            f"{field} {contacted_at.isoformat()} is before {_FLOOR}, earlier than any contact this shop had; "
            "give the time the customer contacted us",
            code="contact_too_early",
        )
    if first_paid_at is not None and contacted_at < first_paid_at:
        raise InvalidInput(
            f"{field} {contacted_at.isoformat()} is before the customer's first payment "
            f"({first_paid_at.isoformat()}); give the time they contacted us about it",
            code="contact_before_payment",
        )
