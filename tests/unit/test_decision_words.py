"""Every decision reads as what happens and why; a rejection quotes its clause as what it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.policy import OrderFacts, PolicyParameters, RefundRequestFacts, assess_request
from domain.policy.decision_words import decision_in_words
from domain.refunds import RefundReason

PAID = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ORDER = OrderFacts(
    order_id="ord-1", customer_id="cus-1", plan_months=3, amount_minor=3000, currency="eur", paid_at=PAID
)


def words(reason: RefundReason, contacted_after: timedelta) -> str:
    """The decision, in words, on a request this long after payment."""
    request = RefundRequestFacts(reason=reason, customer_contacted_at=PAID + contacted_after, requested_by="stf_1")
    a = assess_request(request, ORDER, [], PolicyParameters())
    return decision_in_words(a.path, a.rule, a.evidence, a.clause, a.needs_person)


def test_a_late_wrong_plan_claim_says_why_and_which_condition_failed() -> None:
    text = words(RefundReason.WRONG_PLAN, timedelta(days=19))
    assert text.startswith("Rejected: customer contacted us 456 h after paying (3-month plan)")
    assert 'The policy refunds this case only when: "Duplicate payment or order error' in text


def test_a_reason_the_policy_excludes_is_quoted_as_an_exclusion() -> None:
    text = words(RefundReason.CHANGED_MIND, timedelta(hours=1))
    assert text.startswith("Rejected: ") and 'The policy does not refund: "Personal preference' in text


@pytest.mark.parametrize(
    ("reason", "start"),
    [
        (RefundReason.NOT_ACTIVATED, "Approved automatically: no activation details have been sent"),
        (RefundReason.TECHNICAL_ISSUE, "Support troubleshoots first"),
        (RefundReason.UNAUTHORIZED_TRANSACTION, "Investigated first"),
        (RefundReason.DUPLICATE_PAYMENT, "Waits for an approver: "),
    ],
)
def test_each_path_says_what_happens_next(reason: RefundReason, start: str) -> None:
    text = words(reason, timedelta(hours=1))
    assert text.startswith(start) and text.endswith(".") and "The policy" not in text
