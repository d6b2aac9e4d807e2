"""Which staff actions a person may take on a refund now, asked of the same policy checks the workflow runs.

The workflow checks again when the action arrives (its state may have moved on); this answers what to offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.policy import PolicyParameters
from domain.policy.approvals import (
    ApprovalRecord,
    Decision,
    check_cancel,
    check_confirm_settlement,
    check_decision,
    check_resolve_failure,
)
from domain.policy.checks import ActionCheck, RefusalCode
from domain.policy.paths import RefundPath
from domain.policy.transitions import check_investigation, check_troubleshooting
from domain.refunds import FailureAction, InvestigationFinding, RefundStatus, TroubleshootingOutcome
from domain.roles import Actor, Role, SystemRole
from store.refund_tables import Refund

# Refusals a person should read (someone else must act); role and state refusals simply offer nothing.
SHOWN_REFUSALS = frozenset({RefusalCode.SEPARATION_OF_DUTIES, RefusalCode.FINANCE_REQUIRED})


@dataclass(frozen=True)
class Offer:
    """One action on the refund page: offered as a form, or refused with the policy's sentence."""

    key: str  # the form's path segment: approve, reject, troubleshooting, investigation, cancel, ...
    allowed: bool
    message: str


def requester_person(refund: Refund) -> str:
    """The person who requested the refund (their staff id on rows recorded before people were kept)."""
    requester: dict[str, Any] = (refund.workflow_input or {}).get("requester") or {}
    return requester.get("person_id") or requester.get("actor_id") or refund.requested_by_id


def human_approvals(refund: Refund) -> list[ApprovalRecord]:
    """The approvals people gave, as the workflow counts them (per person)."""
    records = []
    for given in refund.approvals:
        if given.get("acting_as") == SystemRole.SYSTEM.value:
            continue
        actor = given.get("actor") or {}
        records.append(
            ApprovalRecord(
                actor_id=actor.get("person_id") or actor.get("actor_id", ""), acting_as=Role(given["acting_as"])
            )
        )
    return records


def _offer(key: str, check: ActionCheck) -> Offer | None:
    """An allowed check as an offer, a refusal worth reading as a refused offer, anything else as nothing."""
    if check.allowed:
        return Offer(key, True, check.message)
    if check.refusal in SHOWN_REFUSALS:
        return Offer(key, False, check.message)
    return None


def offers_for(refund: Refund, actor: Actor) -> list[Offer]:
    """The actions this person may take on this refund in its current state."""
    status = RefundStatus(refund.status)
    path = RefundPath(refund.decision_path) if refund.decision_path else RefundPath.APPROVAL
    params = PolicyParameters.model_validate(refund.policy_parameters or {})
    requester = requester_person(refund)
    approvals = human_approvals(refund)
    checks = [
        ("troubleshooting", check_troubleshooting(status, path, TroubleshootingOutcome.IN_PROGRESS, actor.roles)),
        (
            "investigation",
            check_investigation(
                status, path, InvestigationFinding.CONFIRMED, actor.person, actor.roles, requester, refund.legal_basis
            ),
        ),
    ]
    for decision in (Decision.APPROVE, Decision.REJECT):
        check = check_decision(
            actor.person, actor.roles, requester, status, approvals, refund.amount_minor, params, decision
        )
        checks.append((decision.value, check))
    checks += [
        ("cancel", check_cancel(status, refund.stripe_attempt > 0, actor.roles)),
        ("resolve-failure", check_resolve_failure(status, FailureAction.RETRY, actor.roles)),
        ("confirm-settlement", check_confirm_settlement(status, actor.roles)),
    ]
    offers = [offer for key, check in checks if (offer := _offer(key, check)) is not None]
    # One sentence is enough when approving and rejecting are refused for the same reason.
    refused_decisions = [o for o in offers if o.key in ("approve", "reject") and not o.allowed]
    if len(refused_decisions) == 2 and refused_decisions[0].message == refused_decisions[1].message:
        offers.remove(refused_decisions[1])
    return offers
