"""The policy parameters in force, copied into each refund so it keeps the rules it started with."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from domain.policy.clauses import POLICY_VERSION

_MAX_WINDOW = timedelta(days=90)


def _positive_window(value: timedelta) -> timedelta:
    """Accept a duration above zero and at most 90 days."""
    if value <= timedelta(0):
        raise ValueError("must be a positive duration")
    if value > _MAX_WINDOW:
        raise ValueError("must be at most 90 days")
    return value


def _policy_version(value: str) -> str:
    """Accept a policy version written as the policy's 'Last updated' date, YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be the policy's 'Last updated' date as YYYY-MM-DD")
    return value


def _country_code(value: str) -> str:
    """Accept an ISO 3166-1 alpha-2 country code, upper-cased."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError("must be a two-letter ISO 3166-1 country code such as FR")
    return code


def _subdivision(value: str | None) -> str | None:
    """Blank subdivisions mean none."""
    if value is None or not value.strip():
        return None
    return value.strip()


Window = Annotated[timedelta, AfterValidator(_positive_window)]


class PolicyParameters(BaseModel):
    """Configurable numbers of the policy; pure data, so workflows can carry them in their input."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_version: Annotated[str, AfterValidator(_policy_version)] = POLICY_VERSION
    # "notified us immediately": the customer's contact must come within this time after payment.
    notice_window: Window = timedelta(hours=72)
    # Another succeeded payment of the same amount by the same customer this close counts as a duplicate.
    duplicate_window: Window = timedelta(hours=72)
    # Automatically verified cases up to this amount (minor units) are approved by the system.
    auto_approve_max_minor: Annotated[int, Field(ge=0)] = 5000
    # Above this amount (minor units) a second approval, by finance, is required.
    second_approval_above_minor: Annotated[int, Field(ge=0)] = 20000
    approval_reminder_after: Window = timedelta(hours=24)
    approval_expires_after: Window = timedelta(days=7)
    troubleshooting_escalate_after: Window = timedelta(hours=48)
    settlement_min_business_days: Annotated[int, Field(ge=0, le=60)] = 3
    settlement_max_business_days: Annotated[int, Field(ge=0, le=60)] = 10
    holiday_country: Annotated[str, AfterValidator(_country_code)] = "FR"
    holiday_subdivision: Annotated[str | None, AfterValidator(_subdivision)] = None

    @model_validator(mode="after")
    def _consistent(self) -> PolicyParameters:
        """Reject combinations that would contradict each other."""
        if self.auto_approve_max_minor > self.second_approval_above_minor:
            # Otherwise the system alone would approve amounts the policy says need finance.
            raise ValueError("auto_approve_max_minor must not exceed second_approval_above_minor")
        if self.approval_reminder_after >= self.approval_expires_after:
            raise ValueError("approval_reminder_after must be shorter than approval_expires_after")
        if self.settlement_min_business_days > self.settlement_max_business_days:
            raise ValueError("settlement_min_business_days must not exceed settlement_max_business_days")
        return self

    def approvals_required(self, amount_minor: int) -> int:
        """How many human approvals a refund of this amount needs (1, or 2 above the threshold)."""
        return 2 if amount_minor > self.second_approval_above_minor else 1
