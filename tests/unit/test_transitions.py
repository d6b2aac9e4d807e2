"""Troubleshooting and investigation outcomes, and who may record them."""

from __future__ import annotations

import pytest

from domain.policy import (
    RefundPath,
    RefusalCode,
    RuleCode,
    after_investigation,
    after_troubleshooting,
    check_investigation,
    check_troubleshooting,
)
from domain.refunds import InvestigationFinding, RefundStatus, TroubleshootingOutcome
from domain.roles import Role

INVESTIGATING = RefundStatus.INVESTIGATING


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (TroubleshootingOutcome.IN_PROGRESS, RefundStatus.INVESTIGATING),
        (TroubleshootingOutcome.RESOLVED, RefundStatus.RESOLVED),
        (TroubleshootingOutcome.UNRESOLVED, RefundStatus.AWAITING_APPROVAL),
    ],
)
def test_troubleshooting_outcomes(outcome, status):
    transition = after_troubleshooting(outcome)
    assert transition.status is status and transition.rule is RuleCode.TECHNICAL_ISSUE
    assert "reasonable troubleshooting" in transition.clause


def test_resolved_troubleshooting_ends_without_refund():
    assert after_troubleshooting(TroubleshootingOutcome.RESOLVED).status.is_terminal


@pytest.mark.parametrize(
    ("finding", "legal_basis", "status", "rule"),
    [
        (
            InvestigationFinding.CONFIRMED,
            None,
            RefundStatus.AWAITING_APPROVAL,
            RuleCode.UNAUTHORIZED_TRANSACTION,
        ),
        (
            InvestigationFinding.NOT_CONFIRMED,
            None,
            RefundStatus.REJECTED,
            RuleCode.UNAUTHORIZED_TRANSACTION,
        ),
        (
            InvestigationFinding.NOT_CONFIRMED,
            "local law",
            RefundStatus.AWAITING_APPROVAL,
            RuleCode.LOCAL_CONSUMER_RIGHTS,
        ),
        (
            InvestigationFinding.CONFIRMED,
            "local law",
            RefundStatus.AWAITING_APPROVAL,
            RuleCode.UNAUTHORIZED_TRANSACTION,
        ),
    ],
)
def test_investigation_findings(finding, legal_basis, status, rule):
    transition = after_investigation(finding, legal_basis)
    assert (transition.status, transition.rule) == (status, rule)


@pytest.mark.parametrize("roles", [(Role.SUPPORT,), (Role.ADMIN,)])
@pytest.mark.parametrize("outcome", list(TroubleshootingOutcome))
def test_support_records_troubleshooting(roles, outcome):
    check = check_troubleshooting(INVESTIGATING, RefundPath.TROUBLESHOOTING, outcome, roles)
    assert check.allowed and check.next_status is after_troubleshooting(outcome).status


@pytest.mark.parametrize("roles", [(Role.APPROVER,), (Role.FINANCE,), (Role.SHOP,), ()])
def test_troubleshooting_is_for_support(roles):
    check = check_troubleshooting(INVESTIGATING, RefundPath.TROUBLESHOOTING, TroubleshootingOutcome.RESOLVED, roles)
    assert not check.allowed and check.refusal is RefusalCode.FORBIDDEN_ROLE


@pytest.mark.parametrize(
    ("status", "path"),
    [
        (RefundStatus.AWAITING_APPROVAL, RefundPath.TROUBLESHOOTING),
        (RefundStatus.RESOLVED, RefundPath.TROUBLESHOOTING),
        (INVESTIGATING, RefundPath.UNAUTHORIZED_INVESTIGATION),
    ],
)
def test_troubleshooting_only_while_troubleshooting(status, path):
    check = check_troubleshooting(status, path, TroubleshootingOutcome.UNRESOLVED, [Role.SUPPORT])
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE


def investigate(
    actor="alice",
    roles=(Role.APPROVER,),
    *,
    status=INVESTIGATING,
    path=RefundPath.UNAUTHORIZED_INVESTIGATION,
    finding=InvestigationFinding.CONFIRMED,
    legal_basis=None,
):
    """check_investigation with defaults: approver alice records a finding on sam's refund."""
    return check_investigation(status, path, finding, actor, roles, "sam", legal_basis)


@pytest.mark.parametrize(
    ("finding", "next_status"),
    [
        (InvestigationFinding.CONFIRMED, RefundStatus.AWAITING_APPROVAL),
        (InvestigationFinding.NOT_CONFIRMED, RefundStatus.REJECTED),
    ],
)
def test_approver_records_a_finding(finding, next_status):
    check = investigate(finding=finding)
    assert check.allowed and check.next_status is next_status


def test_requester_cannot_record_the_finding():
    check = investigate(actor="sam", roles=(Role.APPROVER, Role.SUPPORT))
    assert not check.allowed and check.refusal is RefusalCode.SEPARATION_OF_DUTIES


@pytest.mark.parametrize("roles", [(Role.SUPPORT,), (Role.FINANCE,), ()])
def test_investigation_is_for_approvers(roles):
    check = investigate(roles=roles)
    assert not check.allowed and check.refusal is RefusalCode.FORBIDDEN_ROLE


def test_no_finding_on_a_troubleshooting_refund():
    check = investigate(path=RefundPath.TROUBLESHOOTING)
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE


def test_legal_basis_keeps_an_unconfirmed_claim_open():
    check = investigate(finding=InvestigationFinding.NOT_CONFIRMED, legal_basis="local law")
    assert check.allowed and check.next_status is RefundStatus.AWAITING_APPROVAL
