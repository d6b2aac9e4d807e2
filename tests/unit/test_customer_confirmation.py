"""The customer may confirm their own settling refund arrived; staff still need finance; only settling ones."""

from __future__ import annotations

import pytest

from domain.policy import check_confirm_settlement
from domain.refunds import RefundStatus
from domain.roles import SYSTEM_ACTOR, Role, customer_actor


def test_the_customer_confirms_a_settling_refund_without_any_role() -> None:
    check = check_confirm_settlement(RefundStatus.SETTLING, (), by_customer=True)
    assert check.allowed and check.next_status is RefundStatus.SETTLED
    assert "customer confirmed" in check.message


@pytest.mark.parametrize("status", [s for s in RefundStatus if s is not RefundStatus.SETTLING])
def test_nobody_confirms_a_refund_that_is_not_settling(status: RefundStatus) -> None:
    assert not check_confirm_settlement(status, (), by_customer=True).allowed
    assert not check_confirm_settlement(status, (Role.FINANCE,)).allowed


def test_staff_without_finance_still_cannot_confirm() -> None:
    assert not check_confirm_settlement(RefundStatus.SETTLING, (Role.SUPPORT,)).allowed
    assert check_confirm_settlement(RefundStatus.SETTLING, (Role.FINANCE,)).allowed


def test_only_customer_actors_count_as_the_customer() -> None:
    assert customer_actor("cus-1").is_customer and customer_actor("cus-1").roles == ()
    assert not SYSTEM_ACTOR.is_customer
