"""The answer to "may this person do this now?", shared by every staff action on a refund."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.permissions import role_names, roles_of
from domain.policy.clauses import RuleCode
from domain.refunds import RefundStatus

__all__ = ["ActionCheck", "RefusalCode", "allow", "refuse", "role_names", "roles_of"]


class RefusalCode(StrEnum):
    """Why an action was refused; the API maps role refusals to 403 and the rest to 409."""

    FORBIDDEN_ROLE = "forbidden_role"  # 403
    WRONG_STATE = "wrong_state"  # 409
    SEPARATION_OF_DUTIES = "separation_of_duties"  # 409: someone else must act
    FINANCE_REQUIRED = "finance_required"  # 409: the remaining approval must come from finance
    MISSING_REFERENCE = "missing_reference"  # 422: a manual payout needs its reference
    PAID_THROUGH_STRIPE = "paid_through_stripe"  # 409: Stripe holds a refund paying the customer already


class ActionCheck(BaseModel):
    """Allowed (with the status it leads to) or refused (with a code and a readable message)."""

    model_config = ConfigDict(frozen=True)

    allowed: bool
    message: str
    refusal: RefusalCode | None = None
    next_status: RefundStatus | None = None
    # The policy clause behind the transition, carried into the timeline entry.
    rule: RuleCode | None = None
    clause: str | None = None

    def citation(self) -> dict[str, str]:
        """The rule and clause for a timeline entry's detail (empty when the step cites none)."""
        return {"rule": self.rule.value, "clause": self.clause or ""} if self.rule else {}


def refuse(code: RefusalCode, message: str) -> ActionCheck:
    """A refused action."""
    return ActionCheck(allowed=False, message=message, refusal=code)


def allow(
    next_status: RefundStatus, message: str, rule: RuleCode | None = None, clause: str | None = None
) -> ActionCheck:
    """An allowed action, where it leads and the clause that says so."""
    return ActionCheck(allowed=True, message=message, next_status=next_status, rule=rule, clause=clause)
