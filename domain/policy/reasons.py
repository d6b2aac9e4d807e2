"""Per-reason rules: what each refund reason gets under the policy, before thresholds and legal basis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from domain.policy.clauses import RuleCode
from domain.policy.facts import OrderFacts, OtherPayment, RefundRequestFacts
from domain.policy.formatting import format_duration, format_instant, format_money
from domain.policy.parameters import PolicyParameters
from domain.policy.paths import RefundPath
from domain.refunds import RefundReason


@dataclass(frozen=True)
class Finding:
    """What one reason's rule concluded, before thresholds and legal basis are applied."""

    path: RefundPath
    rule: RuleCode
    verified: bool
    evidence: tuple[str, ...]


Rule = Callable[[RefundRequestFacts, OrderFacts, Sequence[OtherPayment], PolicyParameters], Finding]


def _not_activated(
    request: RefundRequestFacts, order: OrderFacts, _: Sequence[OtherPayment], __: PolicyParameters
) -> Finding:
    """Full refund while no activation details were sent; activation counts as use."""
    rule = RuleCode.ACTIVATION_COUNTS_AS_USE
    if order.activated_at is None:
        evidence = (f"no activation details have been sent for order {order.order_id}",)
        return Finding(RefundPath.AUTO_APPROVE, rule, True, evidence)
    sent = format_instant(order.activated_at)
    if order.activated_at > request.customer_contacted_at:
        # The customer asked before the details went out; eligible, but a person checks the
        # access delivered in the meantime was not used.
        evidence = (
            f"customer asked on {format_instant(request.customer_contacted_at)}, before the "
            f"activation details were sent on {sent}; a person confirms they were not used",
        )
        return Finding(RefundPath.APPROVAL, rule, False, evidence)
    evidence = (f"activation details for order {order.order_id} were sent on {sent}",)
    return Finding(RefundPath.REJECT, rule, False, evidence)


def _is_own_payment(payment: OtherPayment, order: OrderFacts) -> bool:
    """True when the payment is (or may be) the order's own payment, never its duplicate."""
    if order.payment_intent_id is not None:
        return payment.payment_intent_id == order.payment_intent_id
    return payment.order_id == order.order_id


def _duplicate_payment(
    request: RefundRequestFacts,
    order: OrderFacts,
    others: Sequence[OtherPayment],
    params: PolicyParameters,
) -> Finding:
    """Verified when the customer paid the same amount again close by and told us in time."""
    rule = RuleCode.DUPLICATE_OR_ORDER_ERROR
    window = format_duration(params.duplicate_window)
    matches = [
        p
        for p in others
        if p.succeeded
        and not _is_own_payment(p, order)
        and p.currency == order.currency
        and p.amount_minor == order.amount_minor
        and abs(p.paid_at - order.paid_at) <= params.duplicate_window
    ]
    kept = [p for p in matches if p.refunded_minor == 0]
    if not kept:
        if matches:
            ids = ", ".join(sorted(p.payment_intent_id for p in matches))
            note = f"the matching payment(s) {ids} are already refunded or being refunded"
        else:
            note = (
                f"no other succeeded payment of {format_money(order.amount_minor, order.currency)} "
                f"by customer {order.customer_id} within {window} of this one"
            )
        return Finding(RefundPath.APPROVAL, rule, False, (f"{note}; a person must check",))
    match = min(kept, key=lambda p: (abs(p.paid_at - order.paid_at), p.paid_at, p.payment_intent_id))
    found = (
        f"payment {match.payment_intent_id} (order {match.order_id}) of the same amount succeeded on "
        f"{format_instant(match.paid_at)}, {format_duration(abs(match.paid_at - order.paid_at))} from "
        f"this order's payment on {format_instant(order.paid_at)} (duplicate window {window})"
    )
    # The customer can only notice paying twice once the second payment is made.
    second = max(match.paid_at, order.paid_at)
    waited = request.customer_contacted_at - second
    notice = format_duration(params.notice_window)
    if waited < timedelta(0):
        contact = "customer contact predates the second payment; a person must check"
        return Finding(RefundPath.APPROVAL, rule, False, (found, contact))
    contact = f"customer contacted us {format_duration(waited)} after the second payment"
    if waited <= params.notice_window:
        return Finding(RefundPath.AUTO_APPROVE, rule, True, (found, f"{contact} (within {notice})"))
    return Finding(RefundPath.REJECT, rule, False, (found, f"{contact}, after the {notice} notice window"))


def _wrong_plan(
    request: RefundRequestFacts,
    order: OrderFacts,
    _: Sequence[OtherPayment],
    params: PolicyParameters,
) -> Finding:
    """A person approves when the customer told us within the notice window; otherwise rejected."""
    rule = RuleCode.DUPLICATE_OR_ORDER_ERROR
    waited = request.customer_contacted_at - order.paid_at
    notice = format_duration(params.notice_window)
    contact = f"customer contacted us {format_duration(waited)} after paying ({order.plan_months}-month plan)"
    if waited <= params.notice_window:
        return Finding(RefundPath.APPROVAL, rule, False, (f"{contact}, within {notice}",))
    return Finding(RefundPath.REJECT, rule, False, (f"{contact}, after the {notice} notice window",))


def _fixed(path: RefundPath, rule: RuleCode, note: str) -> Rule:
    """A rule whose outcome depends on the reason alone."""

    def decide(*_: object) -> Finding:
        """Return the fixed outcome."""
        return Finding(path, rule, False, (note,))

    return decide


_NOT_COVERED = "not covered by the policy"
RULES: dict[RefundReason, Rule] = {
    RefundReason.NOT_ACTIVATED: _not_activated,
    RefundReason.DUPLICATE_PAYMENT: _duplicate_payment,
    RefundReason.WRONG_PLAN: _wrong_plan,
    RefundReason.TECHNICAL_ISSUE: _fixed(
        RefundPath.TROUBLESHOOTING,
        RuleCode.TECHNICAL_ISSUE,
        "support troubleshoots before any refund",
    ),
    RefundReason.UNAUTHORIZED_TRANSACTION: _fixed(
        RefundPath.UNAUTHORIZED_INVESTIGATION,
        RuleCode.UNAUTHORIZED_TRANSACTION,
        "an approver investigates the claim before any refund",
    ),
    RefundReason.CONNECTION_OR_DEVICE: _fixed(
        RefundPath.REJECT, RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE, _NOT_COVERED
    ),
    RefundReason.THIRD_PARTY_APP: _fixed(RefundPath.REJECT, RuleCode.NOT_COVERED_THIRD_PARTY_APP, _NOT_COVERED),
    RefundReason.CHANGED_MIND: _fixed(RefundPath.REJECT, RuleCode.NOT_COVERED_PERSONAL_PREFERENCE, _NOT_COVERED),
    RefundReason.TEMPORARY_OUTAGE: _fixed(RefundPath.REJECT, RuleCode.NOT_COVERED_TEMPORARY_OUTAGE, _NOT_COVERED),
    RefundReason.UNUSED_TIME: _fixed(RefundPath.REJECT, RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME, _NOT_COVERED),
}
