"""assess_request: every reason's path, the notice and duplicate windows, thresholds and legal basis."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from domain.policy import (
    CLAUSES,
    FULL_REFUND_REASONS,
    POLICY_VERSION,
    PolicyAssessment,
    PolicyInputError,
    PolicyParameters,
    RefundAmountError,
    RefundPath,
    RuleCode,
    assess_request,
)
from domain.refunds import RefundReason, RefundStatus

from .policy_builders import DEFAULTS, PAID_AT, order, payment, request

NOT_COVERED = {
    RefundReason.CONNECTION_OR_DEVICE: RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE,
    RefundReason.THIRD_PARTY_APP: RuleCode.NOT_COVERED_THIRD_PARTY_APP,
    RefundReason.CHANGED_MIND: RuleCode.NOT_COVERED_PERSONAL_PREFERENCE,
    RefundReason.TEMPORARY_OUTAGE: RuleCode.NOT_COVERED_TEMPORARY_OUTAGE,
    RefundReason.UNUSED_TIME: RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME,
}


def assess(reason, *, order_=None, others=(), params=DEFAULTS, **request_fields) -> PolicyAssessment:
    """Assess a request against the default order unless one is given."""
    return assess_request(request(reason, **request_fields), order_ or order(), list(others), params)


@pytest.mark.parametrize(
    ("reason", "path", "rule", "status"),
    [
        (
            RefundReason.NOT_ACTIVATED,
            RefundPath.AUTO_APPROVE,
            RuleCode.ACTIVATION_COUNTS_AS_USE,
            RefundStatus.APPROVED,
        ),
        (
            RefundReason.DUPLICATE_PAYMENT,
            RefundPath.APPROVAL,
            RuleCode.DUPLICATE_OR_ORDER_ERROR,
            RefundStatus.AWAITING_APPROVAL,
        ),
        (
            RefundReason.WRONG_PLAN,
            RefundPath.APPROVAL,
            RuleCode.DUPLICATE_OR_ORDER_ERROR,
            RefundStatus.AWAITING_APPROVAL,
        ),
        (
            RefundReason.TECHNICAL_ISSUE,
            RefundPath.TROUBLESHOOTING,
            RuleCode.TECHNICAL_ISSUE,
            RefundStatus.INVESTIGATING,
        ),
        (
            RefundReason.UNAUTHORIZED_TRANSACTION,
            RefundPath.UNAUTHORIZED_INVESTIGATION,
            RuleCode.UNAUTHORIZED_TRANSACTION,
            RefundStatus.INVESTIGATING,
        ),
        *[(reason, RefundPath.REJECT, rule, RefundStatus.REJECTED) for reason, rule in NOT_COVERED.items()],
    ],
)
def test_every_reason_has_its_path_rule_and_clause(reason, path, rule, status):
    result = assess(reason)
    assert (result.path, result.rule, result.initial_status) == (path, rule, status)
    assert result.clause == CLAUSES[rule]
    assert result.policy_version == POLICY_VERSION
    assert result.amount_minor == 3000 and result.currency == "eur"
    assert result.evidence and all(isinstance(line, str) and line for line in result.evidence)


def test_every_reason_is_handled():
    assert {assess(reason).reason for reason in RefundReason} == set(RefundReason)


def test_unused_time_cites_no_partial_refund_line():
    result = assess(RefundReason.UNUSED_TIME, order_=order(activated_at=PAID_AT))
    assert result.path is RefundPath.REJECT
    assert result.clause.startswith("No partial refund for unused time")


# --- not_activated -------------------------------------------------------------------------------


def test_not_activated_is_verified_and_auto_approved():
    result = assess(RefundReason.NOT_ACTIVATED)
    assert result.verified and result.path is RefundPath.AUTO_APPROVE
    assert any("no activation details" in line for line in result.evidence)


def test_not_activated_rejected_once_activation_was_sent():
    activated = order(activated_at=PAID_AT + timedelta(minutes=5))
    result = assess(RefundReason.NOT_ACTIVATED, order_=activated)
    assert result.path is RefundPath.REJECT and not result.verified
    assert "activation details have been created and sent" in result.clause


def test_not_activated_asked_before_activation_went_out_goes_to_a_person():
    activated_later = order(activated_at=PAID_AT + timedelta(hours=2))
    result = assess(RefundReason.NOT_ACTIVATED, order_=activated_later)
    assert result.path is RefundPath.APPROVAL and not result.verified


def test_activation_at_the_moment_of_contact_counts_as_used():
    contact = PAID_AT + timedelta(hours=1)
    result = assess(
        RefundReason.NOT_ACTIVATED,
        order_=order(activated_at=contact),
        customer_contacted_at=contact,
    )
    assert result.path is RefundPath.REJECT


@pytest.mark.parametrize(
    ("amount", "path"),
    [(4999, RefundPath.AUTO_APPROVE), (5000, RefundPath.AUTO_APPROVE), (5001, RefundPath.APPROVAL)],
)
def test_auto_approval_threshold_is_inclusive(amount, path):
    result = assess(RefundReason.NOT_ACTIVATED, order_=order(amount_minor=amount))
    assert result.path is path and result.verified and result.amount_minor == amount


def test_auto_approval_disabled_with_zero_limit():
    params = PolicyParameters(auto_approve_max_minor=0)
    assert assess(RefundReason.NOT_ACTIVATED, params=params).path is RefundPath.APPROVAL


def test_not_activated_refunds_the_remainder_after_earlier_refunds():
    result = assess(RefundReason.NOT_ACTIVATED, order_=order(already_refunded_minor=1000))
    assert result.amount_minor == 2000


# --- duplicate_payment ---------------------------------------------------------------------------


def test_duplicate_verified_with_matching_payment_and_prompt_contact():
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[payment()])
    assert result.path is RefundPath.AUTO_APPROVE and result.verified
    assert any("pi_2" in line for line in result.evidence)


def test_verified_duplicate_above_limit_needs_a_person():
    big = order(amount_minor=9000)
    result = assess(RefundReason.DUPLICATE_PAYMENT, order_=big, others=[payment(amount_minor=9000)])
    assert result.path is RefundPath.APPROVAL and result.verified


@pytest.mark.parametrize(
    ("after_second_payment", "path"),
    [
        (timedelta(hours=72), RefundPath.AUTO_APPROVE),
        (timedelta(hours=72, seconds=1), RefundPath.REJECT),
    ],
)
def test_duplicate_notice_window_counts_from_the_second_payment(after_second_payment, path):
    second = payment(paid_at=PAID_AT + timedelta(hours=10))
    contact = second.paid_at + after_second_payment
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[second], customer_contacted_at=contact)
    assert result.path is path
    if path is RefundPath.REJECT:
        assert result.rule is RuleCode.DUPLICATE_OR_ORDER_ERROR and "notified us immediately" in result.clause


def test_duplicate_second_payment_may_be_this_order():
    earlier = payment(paid_at=PAID_AT - timedelta(hours=5))
    contact = PAID_AT + timedelta(hours=72)
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[earlier], customer_contacted_at=contact)
    assert result.path is RefundPath.AUTO_APPROVE


@pytest.mark.parametrize(
    ("gap", "verified"),
    [
        (timedelta(hours=72), True),
        (timedelta(hours=72, seconds=1), False),
        (-timedelta(hours=72), True),
    ],
)
def test_duplicate_window_boundaries(gap, verified):
    other = payment(paid_at=PAID_AT + gap)
    contact = max(PAID_AT, other.paid_at) + timedelta(minutes=1)
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[other], customer_contacted_at=contact)
    assert result.verified is verified
    assert result.path is (RefundPath.AUTO_APPROVE if verified else RefundPath.APPROVAL)


@pytest.mark.parametrize(
    "other",
    [
        payment(amount_minor=2999),
        payment(currency="usd"),
        payment(succeeded=False),
        payment(payment_intent_id="pi_1", order_id="ord_1"),  # the order's own payment
        payment(refunded_minor=3000),  # already refunded: refunding this copy too would pay twice
        payment(refunded_minor=1),
    ],
    ids=[
        "other_amount",
        "other_currency",
        "not_succeeded",
        "own_payment",
        "refunded",
        "partly_refunded",
    ],
)
def test_unverified_duplicate_goes_to_a_person(other):
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[other])
    assert result.path is RefundPath.APPROVAL and not result.verified
    assert any("a person must check" in line for line in result.evidence)


def test_second_payment_on_the_same_order_counts_when_intents_are_known():
    same_order = payment(order_id="ord_1", payment_intent_id="pi_9")
    assert assess(RefundReason.DUPLICATE_PAYMENT, others=[same_order]).verified


def test_same_order_payment_is_never_its_own_duplicate_when_intent_unknown():
    result = assess(
        RefundReason.DUPLICATE_PAYMENT,
        order_=order(payment_intent_id=None),
        others=[payment(order_id="ord_1", payment_intent_id="pi_9")],
    )
    assert not result.verified


def test_the_two_copies_of_a_duplicate_cannot_both_be_refunded():
    first = assess(RefundReason.DUPLICATE_PAYMENT, others=[payment()])
    assert first.verified
    # The store now counts that refund on ord_1; asking again from ord_2's side must not verify.
    ord_1_as_other = payment(order_id="ord_1", payment_intent_id="pi_1", paid_at=PAID_AT, refunded_minor=3000)
    ord_2 = order(order_id="ord_2", payment_intent_id="pi_2", paid_at=PAID_AT + timedelta(minutes=1))
    second = assess(RefundReason.DUPLICATE_PAYMENT, order_=ord_2, others=[ord_1_as_other])
    assert not second.verified and second.path is RefundPath.APPROVAL


def test_duplicate_picks_the_closest_matching_payment():
    far = payment(payment_intent_id="pi_far", paid_at=PAID_AT + timedelta(hours=60))
    near = payment(payment_intent_id="pi_near", paid_at=PAID_AT + timedelta(minutes=2))
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[far, near])
    assert any("pi_near" in line for line in result.evidence)
    assert not any("pi_far" in line for line in result.evidence)


def test_duplicate_contact_before_second_payment_goes_to_a_person():
    later = payment(paid_at=PAID_AT + timedelta(hours=3))
    result = assess(
        RefundReason.DUPLICATE_PAYMENT,
        others=[later],
        customer_contacted_at=PAID_AT + timedelta(hours=1),
    )
    assert result.path is RefundPath.APPROVAL and not result.verified


def test_duplicate_is_always_a_full_refund():
    with pytest.raises(RefundAmountError) as error:
        assess(RefundReason.DUPLICATE_PAYMENT, others=[payment()], amount_minor=1000)
    assert error.value.code == "full_refund_only"


# --- wrong_plan ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after_payment", "path"),
    [
        (timedelta(0), RefundPath.APPROVAL),
        (timedelta(hours=72), RefundPath.APPROVAL),
        (timedelta(hours=72, seconds=1), RefundPath.REJECT),
    ],
)
def test_wrong_plan_notice_window_boundary(after_payment, path):
    result = assess(RefundReason.WRONG_PLAN, customer_contacted_at=PAID_AT + after_payment)
    assert result.path is path and not result.verified
    assert result.rule is RuleCode.DUPLICATE_OR_ORDER_ERROR


def test_notice_window_is_configurable():
    params = PolicyParameters(notice_window=timedelta(hours=24))
    contact = PAID_AT + timedelta(hours=25)
    assert assess(RefundReason.WRONG_PLAN, customer_contacted_at=contact, params=params).path is RefundPath.REJECT
    assert assess(RefundReason.WRONG_PLAN, customer_contacted_at=contact).path is RefundPath.APPROVAL


def test_wrong_plan_partial_refund_of_the_price_difference():
    result = assess(RefundReason.WRONG_PLAN, amount_minor=1200)
    assert result.path is RefundPath.APPROVAL and result.amount_minor == 1200


def test_wrong_plan_full_refund_by_default():
    assert assess(RefundReason.WRONG_PLAN).amount_minor == 3000


# --- legal basis ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "rule"), list(NOT_COVERED.items()))
def test_legal_basis_sends_not_covered_reasons_to_approval(reason, rule):
    result = assess(reason, legal_basis="EU Directive 2011/83 art. 16(m)")
    assert result.path is RefundPath.APPROVAL
    assert result.rule is RuleCode.LOCAL_CONSUMER_RIGHTS and result.clause == CLAUSES[RuleCode.LOCAL_CONSUMER_RIGHTS]
    assert result.overrides_rule is rule
    assert result.legal_basis == "EU Directive 2011/83 art. 16(m)"
    assert any(CLAUSES[rule] in line for line in result.evidence)


@pytest.mark.parametrize(
    ("reason", "fields"),
    [
        (RefundReason.WRONG_PLAN, {"customer_contacted_at": PAID_AT + timedelta(days=10)}),
        (RefundReason.NOT_ACTIVATED, {}),
    ],
)
def test_legal_basis_sends_late_or_activated_requests_to_approval(reason, fields):
    activated = order(activated_at=PAID_AT)
    result = assess(reason, order_=activated, legal_basis="local law", **fields)
    assert result.path is RefundPath.APPROVAL and result.overrides_rule is not None


def test_legal_basis_on_late_duplicate_goes_to_approval():
    contact = PAID_AT + timedelta(days=5)
    result = assess(
        RefundReason.DUPLICATE_PAYMENT,
        others=[payment()],
        customer_contacted_at=contact,
        legal_basis="law",
    )
    assert result.path is RefundPath.APPROVAL and result.overrides_rule is RuleCode.DUPLICATE_OR_ORDER_ERROR


def test_legal_basis_is_recorded_without_changing_an_eligible_path():
    result = assess(RefundReason.NOT_ACTIVATED, legal_basis="local law")
    assert result.path is RefundPath.AUTO_APPROVE and result.legal_basis == "local law"
    assert result.overrides_rule is None
    assert any("legal basis given: local law" == line for line in result.evidence)


def test_blank_legal_basis_counts_as_none():
    result = assess(RefundReason.CHANGED_MIND, legal_basis="   ")
    assert result.path is RefundPath.REJECT and result.legal_basis is None


# --- amounts, versions, input errors -------------------------------------------------------------


def test_second_approval_is_announced_in_the_evidence():
    big = order(amount_minor=20001)
    result = assess(RefundReason.WRONG_PLAN, order_=big)
    assert any("second approval, by finance" in line for line in result.evidence)
    small = assess(RefundReason.WRONG_PLAN, order_=order(amount_minor=20000))
    assert not any("second approval" in line for line in small.evidence)


def test_policy_version_comes_from_the_parameters_in_force():
    old = PolicyParameters(policy_version="2024-01-31")
    assert assess(RefundReason.CHANGED_MIND, params=old).policy_version == "2024-01-31"


def test_contact_before_payment_is_bad_input():
    with pytest.raises(PolicyInputError) as error:
        assess(RefundReason.WRONG_PLAN, customer_contacted_at=PAID_AT - timedelta(seconds=1))
    assert error.value.code == "contact_before_payment"


def test_bad_amount_is_bad_input_even_for_a_rejection():
    with pytest.raises(RefundAmountError) as error:
        assess(RefundReason.CHANGED_MIND, amount_minor=3001)
    assert error.value.code == "amount_exceeds_remaining"


def test_assessment_round_trips_through_json():
    result = assess(RefundReason.DUPLICATE_PAYMENT, others=[payment()], legal_basis="law")
    assert PolicyAssessment.model_validate_json(result.model_dump_json()) == result


# --- property-style: invariants over many generated requests -------------------------------------


def _random_case(rng: random.Random):
    """One random but reproducible (request, order, other payments) triple."""
    amount = rng.choice([1, 999, 3000, 5000, 5001, 20000, 20001, 120000])
    already = rng.choice([0, 0, rng.randrange(0, amount)])
    paid = PAID_AT + timedelta(minutes=rng.randrange(0, 500_000))
    activated = rng.choice([None, paid + timedelta(minutes=rng.randrange(0, 600))])
    contact = paid + timedelta(seconds=rng.randrange(0, 7 * 24 * 3600))
    reason = rng.choice(list(RefundReason))
    remaining = amount - already
    requested = rng.choice([None, remaining, rng.randrange(1, remaining + 1)])
    if reason in FULL_REFUND_REASONS and requested is not None:
        requested = remaining
    others = [
        payment(
            payment_intent_id=f"pi_o{i}",
            amount_minor=rng.choice([amount, amount + 1]),
            paid_at=paid + timedelta(hours=rng.uniform(-100, 100)),
            succeeded=rng.random() < 0.8,
            refunded_minor=rng.choice([0, 0, 1]),
        )
        for i in range(rng.randrange(0, 3))
    ]
    the_order = order(amount_minor=amount, already_refunded_minor=already, paid_at=paid, activated_at=activated)
    the_request = request(
        reason,
        amount_minor=requested,
        customer_contacted_at=contact,
        legal_basis=rng.choice([None, "local law"]),
    )
    return the_request, the_order, others


def test_invariants_hold_for_generated_requests():
    rng = random.Random(20251205)
    seen_paths = set()
    for _ in range(3000):
        req, the_order, others = _random_case(rng)
        result = assess_request(req, the_order, others, DEFAULTS)
        seen_paths.add(result.path)
        assert 0 < result.amount_minor <= the_order.remaining_minor
        assert result.currency == the_order.currency
        assert result.clause == CLAUSES[result.rule]
        if req.reason in FULL_REFUND_REASONS:
            assert result.amount_minor == the_order.remaining_minor
        if req.legal_basis:
            assert result.path is not RefundPath.REJECT
        if result.path is RefundPath.AUTO_APPROVE:
            assert result.verified and result.amount_minor <= DEFAULTS.auto_approve_max_minor
        if result.verified:
            assert req.reason in FULL_REFUND_REASONS
        if result.overrides_rule is not None:
            assert result.rule is RuleCode.LOCAL_CONSUMER_RIGHTS and req.legal_basis
        # Same facts, same decision: nothing hidden (clock, randomness, settings) leaks in.
        assert assess_request(req, the_order, list(reversed(others)), DEFAULTS) == result
    assert seen_paths == set(RefundPath)
