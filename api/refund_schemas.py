"""Refund request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.refunds import FailureAction, InvestigationFinding, RefundStatus, TroubleshootingOutcome
from domain.text import PlainText
from services.refunds import RefundCreate

__all__ = ["RefundCreate"]  # the request body is the use case's input, defined with it


class PolicyDecisionPublic(BaseModel):
    """The policy's decision with the clause it applied."""

    summary: str = Field(description="The decision and its reason in one sentence, as a person reads it.")
    path: str
    rule: str
    clause: str
    verified: bool
    evidence: list[str]
    policy_version: str
    legal_basis: str | None = None
    needs_person: str | None = Field(
        None, description="Why a person must approve what the rule alone would have let the system approve."
    )


class RefundCreated(BaseModel):
    """A refund request accepted and its workflow started."""

    refund_id: str
    workflow_id: str
    status: RefundStatus = Field(description="`received` until the refund's workflow records the policy's decision.")
    decided_status: RefundStatus | None = Field(
        None, description="The status the policy's decision sends the refund to (e.g. `rejected`, `approved`)."
    )
    workflow_url: str
    policy_decision: PolicyDecisionPublic | None = None


class NoteBody(BaseModel):
    """An optional note with a staff action."""

    model_config = ConfigDict(extra="forbid")

    note: PlainText | None = Field(None, max_length=2000)


class TroubleshootingBody(BaseModel):
    """A troubleshooting step with its outcome."""

    model_config = ConfigDict(extra="forbid")

    note: PlainText = Field(min_length=1, max_length=2000)
    outcome: TroubleshootingOutcome


class InvestigationBody(BaseModel):
    """An approver's finding on an unauthorized-transaction claim."""

    model_config = ConfigDict(extra="forbid")

    finding: InvestigationFinding
    note: PlainText | None = Field(None, max_length=2000)


class FailureResolutionBody(BaseModel):
    """Finance's answer to a failed refund."""

    model_config = ConfigDict(extra="forbid")

    action: FailureAction
    reference: PlainText | None = Field(None, max_length=200)


class ApprovalPublic(BaseModel):
    """One approval."""

    actor_id: str
    actor_name: str
    acting_as: str
    at: datetime
    note: str | None = None


class TimelineEntryPublic(BaseModel):
    """One step of the audit trail."""

    seq: int
    at: datetime
    kind: str
    status: str
    actor_id: str
    actor_name: str
    note: str | None = None
    detail: dict[str, Any] = {}


class SettlementPublic(BaseModel):
    """When the refund should show on the customer's statement."""

    expected_from: date
    expected_by: date


class RefundSummary(BaseModel):
    """A refund in a list."""

    refund_id: str
    order_id: str
    customer_id: str
    reason: str
    status: str
    amount_minor: int
    currency: str
    stripe_refund_id: str | None = None
    needs_attention: bool = False
    requested_at: datetime
    updated_at: datetime


class RefundDetail(RefundSummary):
    """A refund with its decision, approvals, Stripe state, settlement window and timeline."""

    workflow_id: str
    workflow_url: str
    requested_by: str
    customer_contacted_at: datetime
    earlier_rejected_refund_ids: list[str] = Field(
        [], description="This order's refund requests rejected before this one was made: this is a new try."
    )
    note: str | None = None
    legal_basis: str | None = None
    policy_decision: PolicyDecisionPublic | None = None
    policy_parameters: dict[str, Any] | None = Field(
        None, description="The policy parameters in force when the refund was requested."
    )
    approvals: list[ApprovalPublic] = []
    approvals_required: int = 1
    escalated: bool = False
    stripe_status: str | None = None
    failure_reason: str | None = None
    succeeded_at: datetime | None = None
    settlement: SettlementPublic | None = None
    settled_at: datetime | None = None
    resolution: str | None = None
    dispute_id: str | None = None
    attention_reason: str | None = None
    timeline: list[TimelineEntryPublic] = []


class RefundPage(BaseModel):
    """A page of refunds."""

    items: list[RefundSummary]
    total: int
    limit: int
    offset: int
