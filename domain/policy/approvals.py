"""Who may approve, reject, cancel or resolve a failed refund, and when (separation of duties)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.permissions import Action, acting_roles, permitted_roles
from domain.policy.checks import ActionCheck, RefusalCode, allow, refuse, role_names, roles_of
from domain.policy.parameters import PolicyParameters
from domain.refunds import FailureAction, RefundStatus
from domain.roles import Role

# Rows of the permission table (domain.permissions), named for the messages below.
DECIDING_ROLES = permitted_roles(Action.DECIDE_REFUND)
CANCEL_ROLES = permitted_roles(Action.CANCEL_REFUND)
FAILURE_ROLES = permitted_roles(Action.RESOLVE_FAILURE)
SETTLEMENT_ROLES = permitted_roles(Action.CONFIRM_SETTLEMENT)
# Before the Stripe call nothing has left the shop, so the request can still be withdrawn.
CANCELLABLE_STATUSES = frozenset(
    {
        RefundStatus.RECEIVED,
        RefundStatus.INVESTIGATING,
        RefundStatus.AWAITING_APPROVAL,
        RefundStatus.APPROVED,
    }
)


class Decision(StrEnum):
    """An approver's or finance's decision on a refund awaiting approval."""

    APPROVE = "approve"
    REJECT = "reject"


class ApprovalRecord(BaseModel):
    """One human approval already given, and the role it counted as."""

    model_config = ConfigDict(frozen=True)

    actor_id: str
    acting_as: Role
    at: AwareDatetime | None = None


class DecisionCheck(ActionCheck):
    """The answer to a decision, plus the approval count it leaves."""

    acting_as: Role | None = None
    approvals_required: int = 1
    approvals_after: int = 0
    fully_approved: bool = False


def _preferred_role(roles: frozenset[Role], order: Sequence[Role]) -> Role:
    """The first role in `order` the actor holds."""
    return next(r for r in order if r in roles)


def check_decision(
    actor_id: str,
    actor_roles: Iterable[Role | str],
    requested_by: str,
    status: RefundStatus,
    approvals_so_far: Sequence[ApprovalRecord],
    amount_minor: int,
    params: PolicyParameters,
    decision: Decision,
) -> DecisionCheck:
    """May this person (ids are person ids: one person may hold several staff records) decide now; fully approved?"""
    # An admin may act as approver or finance; separation of duties below applies to them too.
    roles = acting_roles(actor_roles, Action.DECIDE_REFUND)
    # The audit trail names the actor's own role unless the rule needs another one (an admin then acts as finance).
    own = roles_of(actor_roles) & roles
    required = params.approvals_required(amount_minor)
    given = len(approvals_so_far)
    counts = {"approvals_required": required, "approvals_after": given}

    def refused(code: RefusalCode, message: str) -> DecisionCheck:
        """A refusal that still reports the approval count."""
        return DecisionCheck(allowed=False, message=message, refusal=code, **counts)

    if not roles:
        return refused(
            RefusalCode.FORBIDDEN_ROLE,
            f"Only {role_names(DECIDING_ROLES)} staff can approve or reject a refund.",
        )
    if status is not RefundStatus.AWAITING_APPROVAL or given >= required:
        return refused(
            RefusalCode.WRONG_STATE,
            f"This refund is '{status}'; only a refund awaiting approval can be approved or rejected.",
        )
    if actor_id == requested_by:
        return refused(
            RefusalCode.SEPARATION_OF_DUTIES,
            "You requested this refund, so someone else must approve or reject it.",
        )
    if any(a.actor_id == actor_id for a in approvals_so_far):
        return refused(
            RefusalCode.SEPARATION_OF_DUTIES,
            "You already approved this refund; the second decision must come from someone else.",
        )
    if decision is Decision.REJECT:
        acting = _preferred_role(own, (Role.APPROVER, Role.FINANCE, Role.ADMIN))
        return DecisionCheck(
            allowed=True,
            message="Rejected; the customer will be told.",
            next_status=RefundStatus.REJECTED,
            acting_as=acting,
            **counts,
        )
    finance_given = any(a.acting_as is Role.FINANCE for a in approvals_so_far)
    if required == 2 and given == 1 and not finance_given:
        if Role.FINANCE not in roles:
            return refused(
                RefusalCode.FINANCE_REQUIRED,
                "Refunds of this size need a second approval by finance; ask a finance colleague.",
            )
        acting = Role.FINANCE
    elif required == 2 and given == 0:
        # Finance may go first: the rule is two different people, one of them finance.
        acting = _preferred_role(own, (Role.FINANCE, Role.APPROVER, Role.ADMIN))
    else:
        acting = _preferred_role(own, (Role.APPROVER, Role.ADMIN, Role.FINANCE))
    after = given + 1
    done = after == required
    if done:
        message = f"Approved ({after} of {required}); the refund is sent to the payment provider."
    elif acting is Role.FINANCE:
        message = f"Approved ({after} of {required}) by finance; a second approval by someone else is required."
    else:
        message = f"Approved ({after} of {required}); a second approval by finance is required."
    return DecisionCheck(
        allowed=True,
        message=message,
        next_status=RefundStatus.APPROVED if done else RefundStatus.AWAITING_APPROVAL,
        acting_as=acting,
        approvals_required=required,
        approvals_after=after,
        fully_approved=done,
    )


def check_cancel(status: RefundStatus, stripe_called: bool, actor_roles: Iterable[Role | str]) -> ActionCheck:
    """Support or an approver may cancel a refund until the Stripe call is made."""
    if not acting_roles(actor_roles, Action.CANCEL_REFUND):
        return refuse(
            RefusalCode.FORBIDDEN_ROLE,
            f"Only {role_names(CANCEL_ROLES)} staff can cancel a refund.",
        )
    if status.is_terminal:
        return refuse(RefusalCode.WRONG_STATE, f"This refund is already '{status}'; nothing to cancel.")
    if stripe_called or status not in CANCELLABLE_STATUSES:
        return refuse(
            RefusalCode.WRONG_STATE,
            f"This refund is '{status}' and was already sent to the payment provider; it can no longer be cancelled.",
        )
    return allow(RefundStatus.CANCELLED, "Cancelled; no money was moved.")


def after_failure(action: FailureAction) -> RefundStatus:
    """retry sends the refund to the payment provider again; a manual payout settles it."""
    if action is FailureAction.RETRY:
        return RefundStatus.REFUNDING
    return RefundStatus.SETTLED


def check_resolve_failure(
    status: RefundStatus,
    action: FailureAction,
    actor_roles: Iterable[Role | str],
    reference: str | None = None,
) -> ActionCheck:
    """Finance resolves a failed refund by retrying it or recording a manual payout (with reference)."""
    if not acting_roles(actor_roles, Action.RESOLVE_FAILURE):
        return refuse(
            RefusalCode.FORBIDDEN_ROLE,
            f"Only {role_names(FAILURE_ROLES)} staff can resolve a failed refund.",
        )
    if status is not RefundStatus.FAILED:
        return refuse(
            RefusalCode.WRONG_STATE,
            f"This refund is '{status}', not failed; there is nothing to resolve.",
        )
    if action is FailureAction.MANUAL_PAYOUT and not (reference and reference.strip()):
        return refuse(
            RefusalCode.MISSING_REFERENCE,
            "A manual payout needs the reference of the transfer made to the customer.",
        )
    if action is FailureAction.RETRY:
        return allow(after_failure(action), "The refund is sent to the payment provider again.")
    return allow(after_failure(action), "Manual payout recorded; the refund is settled.")


def check_manual_payout_against_stripe(stripe_refund_id: str | None, stripe_status: str | None) -> ActionCheck:
    """A manual payout while Stripe holds a refund that paid (or may still pay) the customer would pay them twice."""
    if stripe_refund_id is None:
        return allow(
            after_failure(FailureAction.MANUAL_PAYOUT),
            "Stripe holds no refund paying the customer; the payout can be recorded.",
        )
    return refuse(
        RefusalCode.PAID_THROUGH_STRIPE,
        f"Stripe holds refund {stripe_refund_id} ({stripe_status}) for this refund, "
        "so the customer is already being paid through Stripe: no manual payout was recorded, "
        "and the refund now follows that Stripe refund.",
    )


def check_confirm_settlement(
    status: RefundStatus, actor_roles: Iterable[Role | str], *, by_customer: bool = False
) -> ActionCheck:
    """Finance, or the customer themselves, confirms the money arrived, which settles a settling refund early."""
    if not by_customer and not acting_roles(actor_roles, Action.CONFIRM_SETTLEMENT):
        return refuse(
            RefusalCode.FORBIDDEN_ROLE, f"Only {role_names(SETTLEMENT_ROLES)} staff can confirm a settlement."
        )
    if status is not RefundStatus.SETTLING:
        return refuse(
            RefusalCode.WRONG_STATE,
            f"This refund is '{status}'; only a settling refund can be confirmed as settled.",
        )
    if by_customer:
        return allow(RefundStatus.SETTLED, "The customer confirmed the refund reached them; the refund is settled.")
    return allow(RefundStatus.SETTLED, "Settlement confirmed; the refund is settled.")
