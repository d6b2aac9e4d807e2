"""assess_request: which path a new refund request takes under the policy, and why."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from domain.policy.amounts import validate_amount
from domain.policy.clauses import RuleCode, clause
from domain.policy.errors import PolicyInputError
from domain.policy.facts import OrderFacts, OtherPayment, RefundRequestFacts
from domain.policy.formatting import format_instant, format_money
from domain.policy.parameters import PolicyParameters
from domain.policy.paths import INITIAL_STATUS, RefundPath
from domain.policy.reasons import RULES
from domain.policy.recorded_contact import unrecorded_contact
from domain.refunds import RefundReason, RefundStatus

__all__ = ["PolicyAssessment", "RefundPath", "assess_request"]


class PolicyAssessment(BaseModel):
    """The policy's decision on a new request, with the clause applied and the facts behind it."""

    model_config = ConfigDict(frozen=True)

    reason: RefundReason
    path: RefundPath
    amount_minor: int
    currency: str
    rule: RuleCode
    clause: str
    # True only when the system itself verified the facts that make the refund eligible
    # (not_activated without activation; duplicate_payment with a matching payment in time).
    verified: bool
    evidence: tuple[str, ...]
    policy_version: str
    legal_basis: str | None = None
    # Set when a legal basis sent to approval a request the named rule would have rejected.
    overrides_rule: RuleCode | None = None
    # Why a person must approve a refund the rule alone would have let the system approve (for the approver).
    needs_person: str | None = None
    # The order's earlier refund requests that were rejected (this one is a new request on the same order).
    earlier_rejected_refund_ids: tuple[str, ...] = ()

    @property
    def initial_status(self) -> RefundStatus:
        """The status a refund enters with this assessment."""
        return INITIAL_STATUS[self.path]


def assess_request(
    request: RefundRequestFacts,
    order: OrderFacts,
    other_payments: Sequence[OtherPayment],
    params: PolicyParameters,
) -> PolicyAssessment:
    """Decide a new request's path under the policy; raise PolicyInputError on bad input."""
    if request.customer_contacted_at < order.paid_at:
        raise PolicyInputError(
            "contact_before_payment",
            f"The customer contact time ({format_instant(request.customer_contacted_at)}) is before "
            f"order {order.order_id} was paid ({format_instant(order.paid_at)}).",
        )
    money = validate_amount(request.reason, request.amount_minor, order, request.currency)
    finding = RULES[request.reason](request, order, other_payments, params)
    path, rule, overrides, verified = finding.path, finding.rule, None, finding.verified
    needs_person: list[str] = []
    evidence = [
        f"refund of {format_money(money.amount_minor, money.currency)} on order {order.order_id} "
        f"(paid {format_money(order.amount_minor, order.currency)} on {format_instant(order.paid_at)}, "
        f"{format_money(order.already_refunded_minor, order.currency)} already refunded or in progress)",
        *finding.evidence,
    ]
    if order.earlier_rejected_refund_ids:
        ids = ", ".join(order.earlier_rejected_refund_ids)
        evidence.append(f"an earlier refund request on order {order.order_id} was rejected ({ids}); this is a new one")
    unrecorded = unrecorded_contact(request)
    if unrecorded is not None:
        evidence.append(unrecorded)
        if path is RefundPath.AUTO_APPROVE:
            # The rule approved on the time given, which nothing the service recorded backs: not verified by us.
            path, verified = RefundPath.APPROVAL, False
            needs_person.append(unrecorded)
    if path is RefundPath.AUTO_APPROVE and money.amount_minor > params.auto_approve_max_minor:
        path = RefundPath.APPROVAL
        limit = format_money(params.auto_approve_max_minor, money.currency)
        above = f"verified, but above the {limit} the system may approve alone"
        evidence.append(above)
        needs_person.append(above)
    if request.legal_basis is not None:
        evidence.append(f"legal basis given: {request.legal_basis}")
        if path is RefundPath.REJECT:
            # Local consumer law may grant more than the policy: a person decides, never a rejection.
            evidence.append(f"would otherwise be rejected under '{rule}': {clause(rule)}")
            path, overrides, rule = RefundPath.APPROVAL, rule, RuleCode.LOCAL_CONSUMER_RIGHTS
    if path is RefundPath.APPROVAL and params.approvals_required(money.amount_minor) == 2:
        limit = format_money(params.second_approval_above_minor, money.currency)
        evidence.append(f"above {limit}: a second approval, by finance, is required")
    return PolicyAssessment(
        reason=request.reason,
        path=path,
        amount_minor=money.amount_minor,
        currency=money.currency,
        rule=rule,
        clause=clause(rule),
        verified=verified,
        evidence=tuple(evidence),
        policy_version=params.policy_version,
        legal_basis=request.legal_basis,
        overrides_rule=overrides,
        needs_person="; ".join(needs_person) or None,
        earlier_rejected_refund_ids=order.earlier_rejected_refund_ids,
    )
