"""Timing rules rest on what the service recorded: a contact time given earlier than that needs a person (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.instants import CLOCK_SKEW
from domain.policy import PolicyParameters, RefundPath, assess_request, unrecorded_contact
from domain.refunds import RefundReason

from .policy_builders import DEFAULTS, PAID_AT, order, payment, request

# The case: an order paid 20 days ago, the customer said to have called 2 h after paying.
FILED_AT = PAID_AT + timedelta(days=20)
BACKDATED = PAID_AT + timedelta(hours=2)


def duplicate(**request_fields):
    """A duplicate_payment claim on the default order, with a matching second payment one minute later."""
    return assess_request(request(RefundReason.DUPLICATE_PAYMENT, **request_fields), order(), [payment()], DEFAULTS)


def test_a_contact_time_backed_by_a_record_is_auto_approved():
    result = duplicate(customer_contacted_at=BACKDATED, first_recorded_contact_at=BACKDATED)
    assert result.path is RefundPath.AUTO_APPROVE and result.verified is True
    assert result.needs_person is None


def test_a_contact_time_earlier_than_anything_recorded_needs_a_person():
    result = duplicate(customer_contacted_at=BACKDATED, first_recorded_contact_at=FILED_AT)
    assert result.path is RefundPath.APPROVAL
    assert result.verified is False
    assert result.needs_person is not None
    assert "earlier than the first contact the service recorded (2025-12-21 10:00:00 UTC)" in result.needs_person
    assert "a person other than the requester must check it and approve" in result.needs_person
    assert result.needs_person in result.evidence


def test_the_recorded_time_itself_is_judged_by_the_rule_as_before():
    # Given as the request's own time (the default), 20 days late: rejected, no person needed to say so.
    result = duplicate(customer_contacted_at=FILED_AT, first_recorded_contact_at=FILED_AT)
    assert result.path is RefundPath.REJECT and result.needs_person is None


@pytest.mark.parametrize(
    ("earlier_by", "needs_person"),
    [(timedelta(0), False), (CLOCK_SKEW, False), (CLOCK_SKEW + timedelta(seconds=1), True)],
    ids=["same", "within-clock-skew", "beyond-clock-skew"],
)
def test_a_clock_a_little_behind_ours_is_not_a_backdated_time(earlier_by, needs_person):
    recorded = PAID_AT + timedelta(hours=1)
    assert (
        unrecorded_contact(
            request("wrong_plan", customer_contacted_at=recorded - earlier_by, first_recorded_contact_at=recorded)
        )
        is not None
    ) is needs_person


def test_requests_made_before_the_fact_was_kept_assess_as_they_did():
    # Histories saved before first_recorded_contact_at existed replay with None: the rule's own outcome.
    result = duplicate(customer_contacted_at=BACKDATED)
    assert result.path is RefundPath.AUTO_APPROVE and result.needs_person is None


def test_a_backdated_time_that_still_fails_the_rule_is_rejected():
    late = PAID_AT + timedelta(days=5)
    result = duplicate(customer_contacted_at=late, first_recorded_contact_at=FILED_AT)
    assert result.path is RefundPath.REJECT
    assert any("earlier than the first contact the service recorded" in line for line in result.evidence)


def test_a_backdated_time_on_a_rule_that_needs_a_person_anyway_stays_with_a_person():
    result = assess_request(
        request("wrong_plan", customer_contacted_at=BACKDATED, first_recorded_contact_at=FILED_AT),
        order(),
        [],
        DEFAULTS,
    )
    assert result.path is RefundPath.APPROVAL and result.needs_person is None
    assert any("earlier than the first contact the service recorded" in line for line in result.evidence)


def test_above_the_auto_approval_limit_the_person_is_told_why():
    params = PolicyParameters(auto_approve_max_minor=1000)
    result = assess_request(request(RefundReason.NOT_ACTIVATED), order(), [], params)
    assert result.path is RefundPath.APPROVAL and result.verified is True
    assert result.needs_person == "verified, but above the 10.00 EUR the system may approve alone"


def test_an_order_whose_earlier_request_was_rejected_is_flagged():
    result = assess_request(
        request(RefundReason.WRONG_PLAN), order(earlier_rejected_refund_ids=("rf_a", "rf_b")), [], DEFAULTS
    )
    assert result.earlier_rejected_refund_ids == ("rf_a", "rf_b")
    assert "an earlier refund request on order ord_1 was rejected (rf_a, rf_b); this is a new one" in result.evidence
    assert assess_request(request(RefundReason.WRONG_PLAN), order(), [], DEFAULTS).earlier_rejected_refund_ids == ()
