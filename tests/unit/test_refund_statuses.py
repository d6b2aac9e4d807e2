"""RefundStatus: open and terminal statuses partition the set; `failed` stays open for finance."""

from __future__ import annotations

import pytest

from domain.refunds import OPEN_STATUSES, TERMINAL_STATUSES, RefundStatus

TERMINAL = {"settled", "rejected", "resolved", "cancelled", "expired"}


@pytest.mark.parametrize("status", list(RefundStatus))
def test_every_status_is_either_open_or_terminal(status):
    assert status.is_open is not status.is_terminal
    assert status.is_terminal is (status.value in TERMINAL)


def test_failed_blocks_a_new_refund_until_finance_resolves_it():
    assert RefundStatus.FAILED.is_open and not RefundStatus.FAILED.is_terminal


def test_open_and_terminal_sets_partition_all_statuses():
    assert OPEN_STATUSES | TERMINAL_STATUSES == set(RefundStatus)
    assert not OPEN_STATUSES & TERMINAL_STATUSES


@pytest.mark.parametrize("status", list(RefundStatus))
def test_refunds_that_may_still_pay_or_paid_count_toward_the_order(status):
    expected = status.value not in {"rejected", "resolved", "cancelled", "expired"}
    assert status.counts_toward_refunded is expected


def test_statuses_are_the_issues_twelve():
    assert [s.value for s in RefundStatus] == [
        "received",
        "investigating",
        "awaiting_approval",
        "approved",
        "refunding",
        "settling",
        "settled",
        "rejected",
        "resolved",
        "cancelled",
        "expired",
        "failed",
    ]
