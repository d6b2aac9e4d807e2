"""Finding an order to refund, its card (paid, refunded so far, refundable now), the reasons in the policy's words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.policy.clauses import CLAUSES, RuleCode
from domain.refunds import RefundReason
from services.errors import use_case
from store.refunds import refunded_so_far
from store.tables import Order

# The clause each reason is judged by; the second value says whether the policy can refund it at all.
REASON_CLAUSES: dict[RefundReason, tuple[RuleCode, bool]] = {
    RefundReason.NOT_ACTIVATED: (RuleCode.ACTIVATION_COUNTS_AS_USE, True),
    RefundReason.DUPLICATE_PAYMENT: (RuleCode.DUPLICATE_OR_ORDER_ERROR, True),
    RefundReason.WRONG_PLAN: (RuleCode.DUPLICATE_OR_ORDER_ERROR, True),
    RefundReason.TECHNICAL_ISSUE: (RuleCode.TECHNICAL_ISSUE, True),
    RefundReason.UNAUTHORIZED_TRANSACTION: (RuleCode.UNAUTHORIZED_TRANSACTION, True),
    RefundReason.CONNECTION_OR_DEVICE: (RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE, False),
    RefundReason.THIRD_PARTY_APP: (RuleCode.NOT_COVERED_THIRD_PARTY_APP, False),
    RefundReason.CHANGED_MIND: (RuleCode.NOT_COVERED_PERSONAL_PREFERENCE, False),
    RefundReason.TEMPORARY_OUTAGE: (RuleCode.NOT_COVERED_TEMPORARY_OUTAGE, False),
    RefundReason.UNUSED_TIME: (RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME, False),
}


@dataclass(frozen=True)
class ReasonChoice:
    """A reason as the form lists it: the policy's clause, and whether it is covered at all."""

    reason: RefundReason
    clause: str
    covered: bool


@dataclass(frozen=True)
class OrderCard:
    """An order as support sees it before asking for a refund."""

    order: Order
    refunded_so_far_minor: int

    @property
    def refundable_now_minor(self) -> int:
        """What was paid minus what is refunded so far (the one definition, store.refunds)."""
        return max(0, self.order.amount_minor - self.refunded_so_far_minor)


def reason_choices() -> list[ReasonChoice]:
    """Every reason with its clause, the covered ones first."""
    choices = [ReasonChoice(reason, CLAUSES[rule], covered) for reason, (rule, covered) in REASON_CLAUSES.items()]
    return sorted(choices, key=lambda choice: not choice.covered)


@use_case
def find_order_cards(session: Session, search: str, limit: int = 20) -> list[OrderCard]:
    """The order with this id, or the orders of the customer with this email or id, newest payment first."""
    term = search.strip()
    query = select(Order).where(
        (col(Order.order_id) == term)
        | (col(Order.customer_id) == term)
        | (func.lower(Order.customer_email) == term.lower())
    )
    orders = session.exec(query.order_by(col(Order.paid_at).desc()).limit(limit)).all()
    return [OrderCard(order, refunded_so_far(session, order.order_id)) for order in orders]
