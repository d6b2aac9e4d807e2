"""Troubleshooting (technical issues) and investigation (unauthorized transactions) outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from domain.permissions import Action, acting_roles, permitted_roles
from domain.policy.checks import ActionCheck, RefusalCode, allow, refuse, role_names
from domain.policy.clauses import RuleCode, clause
from domain.policy.paths import RefundPath
from domain.refunds import InvestigationFinding, RefundStatus, TroubleshootingOutcome
from domain.roles import Role

TROUBLESHOOTING_ROLES = permitted_roles(Action.RECORD_TROUBLESHOOTING)
INVESTIGATION_ROLES = permitted_roles(Action.RECORD_INVESTIGATION)


class Transition(BaseModel):
    """Where a recorded outcome takes the refund, with the clause that says so."""

    model_config = ConfigDict(frozen=True)

    status: RefundStatus
    rule: RuleCode
    clause: str
    summary: str


def _to(status: RefundStatus, rule: RuleCode, summary: str) -> Transition:
    """Build a transition citing its rule."""
    return Transition(status=status, rule=rule, clause=clause(rule), summary=summary)


def after_troubleshooting(outcome: TroubleshootingOutcome) -> Transition:
    """resolved ends without a refund; unresolved goes to approval; in_progress stays."""
    rule = RuleCode.TECHNICAL_ISSUE
    if outcome is TroubleshootingOutcome.RESOLVED:
        return _to(RefundStatus.RESOLVED, rule, "troubleshooting resolved the problem; no refund")
    if outcome is TroubleshootingOutcome.UNRESOLVED:
        return _to(
            RefundStatus.AWAITING_APPROVAL,
            rule,
            "troubleshooting could not resolve the problem; an approver decides the refund",
        )
    return _to(RefundStatus.INVESTIGATING, rule, "troubleshooting continues")


def after_investigation(finding: InvestigationFinding, legal_basis: str | None = None) -> Transition:
    """confirmed goes to approval with the finding recorded; not_confirmed is rejected."""
    rule = RuleCode.UNAUTHORIZED_TRANSACTION
    if finding is InvestigationFinding.CONFIRMED:
        return _to(
            RefundStatus.AWAITING_APPROVAL,
            rule,
            "investigation confirmed the transaction was unauthorized; an approver decides the refund",
        )
    if legal_basis:
        return _to(
            RefundStatus.AWAITING_APPROVAL,
            RuleCode.LOCAL_CONSUMER_RIGHTS,
            f"investigation did not confirm the claim, but a legal basis was given ({legal_basis}); "
            "an approver decides",
        )
    return _to(RefundStatus.REJECTED, rule, "investigation did not confirm an unauthorized transaction")


def check_troubleshooting(
    status: RefundStatus,
    path: RefundPath,
    outcome: TroubleshootingOutcome,
    actor_roles: Iterable[Role | str],
) -> ActionCheck:
    """May this person record a troubleshooting outcome on this refund now?"""
    refusal = _recording_refusal(
        Action.RECORD_TROUBLESHOOTING, actor_roles, "troubleshooting", RefundPath.TROUBLESHOOTING, path, status
    )
    return refusal or _allow(after_troubleshooting(outcome))


def check_investigation(
    status: RefundStatus,
    path: RefundPath,
    finding: InvestigationFinding,
    actor_id: str,
    actor_roles: Iterable[Role | str],
    requested_by: str,
    legal_basis: str | None = None,
) -> ActionCheck:
    """May this person record an investigation finding on this refund now?"""
    refusal = _recording_refusal(
        Action.RECORD_INVESTIGATION,
        actor_roles,
        "an investigation finding",
        RefundPath.UNAUTHORIZED_INVESTIGATION,
        path,
        status,
    )
    if refusal is not None:
        return refusal
    if actor_id == requested_by:
        return refuse(
            RefusalCode.SEPARATION_OF_DUTIES,
            "You requested this refund, so someone else must record the investigation finding.",
        )
    return _allow(after_investigation(finding, legal_basis))


# How a refund that is investigated on another path, or no longer investigated, is described to the person.
_NOT_ON_PATH = {
    RefundPath.TROUBLESHOOTING: "not in troubleshooting",
    RefundPath.UNAUTHORIZED_INVESTIGATION: "not under investigation",
}


def _recording_refusal(
    action: Action,
    actor_roles: Iterable[Role | str],
    what: str,
    needed_path: RefundPath,
    path: RefundPath,
    status: RefundStatus,
) -> ActionCheck | None:
    """Why this person may not record `what` on this refund now (role first, then the step), or None."""
    if not acting_roles(actor_roles, action):
        return refuse(RefusalCode.FORBIDDEN_ROLE, f"Only {role_names(permitted_roles(action))} staff record {what}.")
    if path is not needed_path or status is not RefundStatus.INVESTIGATING:
        return refuse(
            RefusalCode.WRONG_STATE,
            f"This refund is '{status}' and {_NOT_ON_PATH[needed_path]}; there is nothing to record.",
        )
    return None


def _allow(transition: Transition) -> ActionCheck:
    """An allowed action leading where `transition` says, citing its rule and clause."""
    return allow(transition.status, transition.summary, transition.rule, transition.clause)
