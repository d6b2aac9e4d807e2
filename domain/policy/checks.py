"""The answer to "may this person do this now?", shared by every staff action on a refund."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.refunds import RefundStatus
from domain.roles import Role


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


def roles_of(actor_roles: Iterable[Role | str]) -> frozenset[Role]:
    """Normalise roles given as enums or strings; unknown strings are ignored."""
    known = {r.value for r in Role}
    return frozenset(Role(r) for r in actor_roles if str(r) in known)


def refuse(code: RefusalCode, message: str) -> ActionCheck:
    """A refused action."""
    return ActionCheck(allowed=False, message=message, refusal=code)


def allow(next_status: RefundStatus, message: str) -> ActionCheck:
    """An allowed action and where it leads."""
    return ActionCheck(allowed=True, message=message, next_status=next_status)


def role_names(roles: Iterable[Role]) -> str:
    """Render roles for a message in Role's order, e.g. 'approver, finance or admin'."""
    given = set(roles)
    names = [r.value for r in Role if r in given]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
