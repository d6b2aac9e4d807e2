"""check_decision, check_cancel, check_resolve_failure: roles, states, separation of duties."""

from __future__ import annotations

import pytest

from domain.policy import (
    ApprovalRecord,
    Decision,
    PolicyParameters,
    RefusalCode,
    after_failure,
    check_cancel,
    check_decision,
    check_resolve_failure,
)
from domain.refunds import FailureAction, RefundStatus
from domain.roles import Role

PARAMS = PolicyParameters()  # second approval above 20000
SMALL, BIG = 20000, 20001
A, F, R = Role.APPROVER, Role.FINANCE, Role.ADMIN


def decide(
    actor="alice",
    roles=(A,),
    *,
    requested_by="sam",
    status=RefundStatus.AWAITING_APPROVAL,
    approvals=(),
    amount=SMALL,
    decision=Decision.APPROVE,
):
    """check_decision with defaults: alice (approver) approves sam's small refund."""
    return check_decision(actor, roles, requested_by, status, list(approvals), amount, PARAMS, decision)


# --- who and when --------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [(), (Role.SUPPORT,), (Role.SHOP,), ("support", "shop"), ("superuser",)])
@pytest.mark.parametrize("decision", list(Decision))
def test_only_approver_finance_or_admin_decide(roles, decision):
    check = decide(roles=roles, decision=decision)
    assert not check.allowed and check.refusal is RefusalCode.FORBIDDEN_ROLE
    assert "approver, finance or admin" in check.message


@pytest.mark.parametrize("status", [s for s in RefundStatus if s is not RefundStatus.AWAITING_APPROVAL])
@pytest.mark.parametrize("decision", list(Decision))
def test_only_a_refund_awaiting_approval_can_be_decided(status, decision):
    check = decide(status=status, decision=decision)
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE
    assert f"'{status}'" in check.message


@pytest.mark.parametrize("decision", list(Decision))
@pytest.mark.parametrize("roles", [(A,), (F,), (R,), (A, F, R)])
def test_nobody_decides_a_refund_they_requested(decision, roles):
    check = decide(actor="sam", roles=roles, requested_by="sam", decision=decision)
    assert not check.allowed and check.refusal is RefusalCode.SEPARATION_OF_DUTIES


@pytest.mark.parametrize("roles", [("approver",), [A], {A, Role.SUPPORT}])
def test_roles_may_be_strings_or_enums_in_any_iterable(roles):
    assert decide(roles=roles).allowed


# --- one approval --------------------------------------------------------------------------------


@pytest.mark.parametrize(("roles", "acting"), [((A,), A), ((F,), F), ((R,), R), ((A, F), A)])
def test_up_to_the_threshold_one_approval_is_enough(roles, acting):
    check = decide(roles=roles, amount=SMALL)
    assert check.allowed and check.fully_approved
    assert (check.approvals_required, check.approvals_after) == (1, 1)
    assert check.next_status is RefundStatus.APPROVED and check.acting_as is acting


def test_reject_ends_the_refund():
    check = decide(decision=Decision.REJECT)
    assert check.allowed and check.next_status is RefundStatus.REJECTED and not check.fully_approved


# --- two approvals above the threshold -----------------------------------------------------------


def test_above_threshold_first_approval_waits_for_finance():
    check = decide(roles=(A,), amount=BIG)
    assert check.allowed and not check.fully_approved
    assert (check.approvals_required, check.approvals_after) == (2, 1)
    assert check.next_status is RefundStatus.AWAITING_APPROVAL and check.acting_as is A
    assert "finance" in check.message


def test_second_approval_by_finance_completes():
    first = ApprovalRecord(actor_id="alice", acting_as=A)
    check = decide(actor="fred", roles=(F,), approvals=[first], amount=BIG)
    assert check.allowed and check.fully_approved and check.acting_as is F
    assert check.next_status is RefundStatus.APPROVED and check.approvals_after == 2


def test_second_approval_by_non_finance_is_refused():
    first = ApprovalRecord(actor_id="alice", acting_as=A)
    check = decide(actor="bob", roles=(A,), approvals=[first], amount=BIG)
    assert not check.allowed and check.refusal is RefusalCode.FINANCE_REQUIRED
    assert check.approvals_after == 1


@pytest.mark.parametrize("roles", [(R,), (A, R)])
def test_admin_gives_the_second_approval_acting_as_finance(roles):
    first = ApprovalRecord(actor_id="alice", acting_as=A)
    check = decide(actor="root", roles=roles, approvals=[first], amount=BIG)
    assert check.allowed and check.fully_approved and check.acting_as is F


def test_admin_cannot_approve_their_own_request_or_approve_twice():
    own = decide(actor="root", roles=(R,), requested_by="root")
    assert not own.allowed and own.refusal is RefusalCode.SEPARATION_OF_DUTIES
    first = ApprovalRecord(actor_id="root", acting_as=R)
    twice = decide(actor="root", roles=(R,), approvals=[first], amount=BIG)
    assert not twice.allowed and twice.refusal is RefusalCode.SEPARATION_OF_DUTIES


def test_admin_first_then_finance():
    first = decide(actor="root", roles=(R,), amount=BIG)
    assert first.allowed and first.acting_as is R and not first.fully_approved
    second = decide(
        actor="fred",
        roles=(F,),
        amount=BIG,
        approvals=[ApprovalRecord(actor_id="root", acting_as=first.acting_as)],
    )
    assert second.fully_approved


def test_finance_may_approve_first_then_any_other_decider_completes():
    first = decide(actor="fred", roles=(F,), amount=BIG)
    assert first.allowed and first.acting_as is F and not first.fully_approved
    record = ApprovalRecord(actor_id="fred", acting_as=F)
    for roles in [(A,), (R,), (F,)]:
        second = decide(actor="other", roles=roles, approvals=[record], amount=BIG)
        assert second.allowed and second.fully_approved


def test_someone_holding_approver_and_finance_counts_as_finance_when_first():
    check = decide(actor="ann", roles=(A, F), amount=BIG)
    assert check.acting_as is F


def test_the_same_person_cannot_give_both_approvals():
    first = ApprovalRecord(actor_id="fred", acting_as=A)
    for decision in Decision:
        check = decide(actor="fred", roles=(A, F), approvals=[first], amount=BIG, decision=decision)
        assert not check.allowed and check.refusal is RefusalCode.SEPARATION_OF_DUTIES


def test_finance_can_reject_at_the_second_stage():
    first = ApprovalRecord(actor_id="alice", acting_as=A)
    check = decide(actor="fred", roles=(F,), approvals=[first], amount=BIG, decision=Decision.REJECT)
    assert check.allowed and check.next_status is RefundStatus.REJECTED


def test_no_approval_after_all_approvals_are_in():
    done = [
        ApprovalRecord(actor_id="alice", acting_as=A),
        ApprovalRecord(actor_id="fred", acting_as=F),
    ]
    check = decide(actor="zoe", roles=(F,), approvals=done, amount=BIG)
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE


def test_threshold_follows_the_parameters():
    strict = PolicyParameters(auto_approve_max_minor=0, second_approval_above_minor=0)
    check = check_decision("alice", [A], "sam", RefundStatus.AWAITING_APPROVAL, [], 1, strict, Decision.APPROVE)
    assert check.approvals_required == 2 and not check.fully_approved


def test_every_fully_approved_sequence_has_two_people_and_finance():
    """Property-style: over all role combinations and orders, a completed big refund always had
    two different people, neither the requester, at least one acting as finance."""
    role_sets = [(A,), (F,), (R,), (A, F), (A, R), (F, R), (A, F, R), (Role.SUPPORT,)]
    people = {f"p{i}": roles for i, roles in enumerate(role_sets)} | {"sam": (A, F, R)}
    completed = 0
    for first_id, first_roles in people.items():
        one = decide(actor=first_id, roles=first_roles, amount=BIG)
        if not one.allowed:
            continue
        record = ApprovalRecord(actor_id=first_id, acting_as=one.acting_as)
        for second_id, second_roles in people.items():
            two = decide(actor=second_id, roles=second_roles, approvals=[record], amount=BIG)
            if two.fully_approved:
                completed += 1
                assert first_id != second_id and "sam" not in (first_id, second_id)
                assert F in (one.acting_as, two.acting_as)
                # An admin may act in any role (here: finance for the second approval).
                assert one.acting_as in first_roles or R in first_roles
                assert two.acting_as in second_roles or R in second_roles
    assert completed > 0


# --- cancel --------------------------------------------------------------------------------------

CANCELLABLE = [
    RefundStatus.RECEIVED,
    RefundStatus.INVESTIGATING,
    RefundStatus.AWAITING_APPROVAL,
    RefundStatus.APPROVED,
]


@pytest.mark.parametrize("status", CANCELLABLE)
@pytest.mark.parametrize("roles", [(Role.SUPPORT,), (A,), (R,)])
def test_support_or_approver_cancel_before_the_stripe_call(status, roles):
    check = check_cancel(status, False, roles)
    assert check.allowed and check.next_status is RefundStatus.CANCELLED


@pytest.mark.parametrize("status", CANCELLABLE + [RefundStatus.REFUNDING])
def test_no_cancel_once_stripe_was_called(status):
    check = check_cancel(status, True, [Role.SUPPORT])
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE
    assert "payment provider" in check.message


@pytest.mark.parametrize("status", [RefundStatus.REFUNDING, RefundStatus.SETTLING, RefundStatus.FAILED])
def test_no_cancel_after_the_money_left_even_if_flag_missing(status):
    assert not check_cancel(status, False, [Role.SUPPORT]).allowed


@pytest.mark.parametrize("status", [s for s in RefundStatus if s.is_terminal])
def test_no_cancel_of_a_finished_refund(status):
    check = check_cancel(status, False, [Role.SUPPORT])
    assert not check.allowed and "already" in check.message


@pytest.mark.parametrize("roles", [(F,), (Role.SHOP,), ()])
def test_only_support_approver_or_admin_cancel(roles):
    check = check_cancel(RefundStatus.RECEIVED, False, roles)
    assert not check.allowed and check.refusal is RefusalCode.FORBIDDEN_ROLE


# --- failed refunds ------------------------------------------------------------------------------


def test_finance_retries_a_failed_refund():
    check = check_resolve_failure(RefundStatus.FAILED, FailureAction.RETRY, [F])
    assert check.allowed and check.next_status is RefundStatus.REFUNDING


def test_finance_records_a_manual_payout_with_its_reference():
    check = check_resolve_failure(RefundStatus.FAILED, FailureAction.MANUAL_PAYOUT, [F], reference="SEPA-123")
    assert check.allowed and check.next_status is RefundStatus.SETTLED


@pytest.mark.parametrize("reference", [None, "", "  "])
def test_manual_payout_without_reference_is_refused(reference):
    check = check_resolve_failure(RefundStatus.FAILED, FailureAction.MANUAL_PAYOUT, [F], reference=reference)
    assert not check.allowed and check.refusal is RefusalCode.MISSING_REFERENCE


def test_admin_resolves_failures_too():
    check = check_resolve_failure(RefundStatus.FAILED, FailureAction.RETRY, [R])
    assert check.allowed and check.next_status is RefundStatus.REFUNDING


@pytest.mark.parametrize("roles", [(A,), (Role.SUPPORT,), (Role.SHOP,)])
def test_only_finance_resolves_failures(roles):
    check = check_resolve_failure(RefundStatus.FAILED, FailureAction.RETRY, roles)
    assert not check.allowed and check.refusal is RefusalCode.FORBIDDEN_ROLE


@pytest.mark.parametrize("status", [s for s in RefundStatus if s is not RefundStatus.FAILED])
def test_only_failed_refunds_are_resolved(status):
    check = check_resolve_failure(status, FailureAction.RETRY, [F])
    assert not check.allowed and check.refusal is RefusalCode.WRONG_STATE


def test_after_failure_statuses():
    assert after_failure(FailureAction.RETRY) is RefundStatus.REFUNDING
    assert after_failure(FailureAction.MANUAL_PAYOUT) is RefundStatus.SETTLED
