"""Which Stripe refund of ours to follow: the pure choices behind "look it up before deciding"."""

from __future__ import annotations

from collections.abc import Iterable

from domain.refund_messages import StripeRefundSnapshot

# Refunds that moved money or may still move it; `failed` and `canceled` gave it back.
ACTIVE_STRIPE_STATUSES = frozenset({"pending", "succeeded", "requires_action"})


def refund_of_attempt(refunds: Iterable[StripeRefundSnapshot], attempt: int) -> StripeRefundSnapshot | None:
    """The refund one attempt made, whatever its status (newest, should a second ever exist)."""
    return _newest(r for r in refunds if r.attempt == attempt)


def active_refund(refunds: Iterable[StripeRefundSnapshot]) -> StripeRefundSnapshot | None:
    """A refund of ours, of any attempt, that paid or may still pay the customer."""
    return _newest(r for r in refunds if r.status in ACTIVE_STRIPE_STATUSES)


def refund_to_adopt(refunds: Iterable[StripeRefundSnapshot], attempt: int) -> StripeRefundSnapshot | None:
    """After an unknown outcome or an "already refunded": this attempt's refund, else any of ours still paying."""
    refunds = list(refunds)
    return refund_of_attempt(refunds, attempt) or active_refund(refunds)


def _newest(refunds: Iterable[StripeRefundSnapshot]) -> StripeRefundSnapshot | None:
    """The most recently created refund, or None."""
    return max(refunds, key=lambda r: (r.created, r.stripe_refund_id), default=None)
