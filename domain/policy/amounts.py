"""Amount rules: positive, in the order's currency, never more than what is left to refund."""

from __future__ import annotations

from domain.money import Money
from domain.policy.errors import RefundAmountError
from domain.policy.facts import OrderFacts
from domain.refunds import RefundReason

# These reasons mean the customer should never have paid: the refund is always the whole remainder.
FULL_REFUND_REASONS: frozenset[RefundReason] = frozenset({RefundReason.NOT_ACTIVATED, RefundReason.DUPLICATE_PAYMENT})


def _money(amount_minor: int, currency: str) -> str:
    """Format an amount for a message, e.g. '12.50 EUR'."""
    return Money(amount_minor=max(amount_minor, 0), currency=currency).format()


def validate_amount(
    reason: RefundReason,
    amount_minor: int | None,
    order: OrderFacts,
    currency: str | None = None,
) -> Money:
    """Resolve the refund amount (None = the full remainder) or raise RefundAmountError."""
    paid = _money(order.amount_minor, order.currency)
    remaining = order.remaining_minor
    if currency is not None and currency.strip().lower() != order.currency:
        raise RefundAmountError(
            "currency_mismatch",
            f"This order was paid in {order.currency.upper()}; a refund goes back to the original "
            f"payment method in the same currency, not {currency.strip().upper()}.",
        )
    if remaining == 0:
        raise RefundAmountError(
            "nothing_left_to_refund",
            f"Nothing is left to refund on order {order.order_id}: the full {paid} is already "
            "refunded or being refunded.",
        )
    if amount_minor is None:
        return Money(amount_minor=remaining, currency=order.currency)
    if amount_minor <= 0:
        raise RefundAmountError(
            "amount_not_positive",
            "The refund amount must be more than zero (in cents); leave it empty to refund everything that is left.",
        )
    if amount_minor > remaining:
        raise RefundAmountError(
            "amount_exceeds_remaining",
            f"A refund of {_money(amount_minor, order.currency)} is more than what is left to refund "
            f"on order {order.order_id}: {_money(remaining, order.currency)} "
            f"({paid} paid, {_money(order.already_refunded_minor, order.currency)} already refunded "
            "or being refunded).",
        )
    if reason in FULL_REFUND_REASONS and amount_minor != remaining:
        raise RefundAmountError(
            "full_refund_only",
            f"A '{reason}' refund is always the full remaining amount "
            f"({_money(remaining, order.currency)}); leave the amount empty.",
        )
    return Money(amount_minor=amount_minor, currency=order.currency)
