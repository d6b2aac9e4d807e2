"""validate_amount: positive, in the order's currency, never more than what is left to refund."""

from __future__ import annotations

import pytest

from domain.money import Money
from domain.policy import FULL_REFUND_REASONS, RefundAmountError, validate_amount
from domain.refunds import RefundReason

from .policy_builders import order

PARTIAL_OK = RefundReason.WRONG_PLAN


def test_no_amount_means_the_full_remainder():
    assert validate_amount(PARTIAL_OK, None, order(already_refunded_minor=500)) == Money(
        amount_minor=2500, currency="eur"
    )


def test_amount_equal_to_remaining_is_accepted():
    assert validate_amount(PARTIAL_OK, 2500, order(already_refunded_minor=500)).amount_minor == 2500


def test_amount_over_remaining_by_one_is_refused_with_the_numbers():
    with pytest.raises(RefundAmountError) as error:
        validate_amount(PARTIAL_OK, 2501, order(already_refunded_minor=500))
    assert error.value.code == "amount_exceeds_remaining"
    assert "25.01 EUR" in error.value.message and "25.00 EUR" in error.value.message
    assert "30.00 EUR paid" in error.value.message and "5.00 EUR already refunded" in error.value.message


@pytest.mark.parametrize("amount", [0, -1, -3000])
def test_amount_must_be_positive(amount):
    with pytest.raises(RefundAmountError) as error:
        validate_amount(PARTIAL_OK, amount, order())
    assert error.value.code == "amount_not_positive"


@pytest.mark.parametrize("amount", [None, 1])
def test_fully_refunded_order_has_nothing_left(amount):
    with pytest.raises(RefundAmountError) as error:
        validate_amount(PARTIAL_OK, amount, order(already_refunded_minor=3000))
    assert error.value.code == "nothing_left_to_refund"


@pytest.mark.parametrize("currency", ["usd", "GBP"])
def test_currency_must_be_the_orders(currency):
    with pytest.raises(RefundAmountError) as error:
        validate_amount(PARTIAL_OK, 100, order(), currency=currency)
    assert error.value.code == "currency_mismatch" and "EUR" in error.value.message


@pytest.mark.parametrize("currency", ["eur", "EUR", " Eur "])
def test_order_currency_in_any_case_is_accepted(currency):
    assert validate_amount(PARTIAL_OK, 100, order(), currency=currency).currency == "eur"


@pytest.mark.parametrize("reason", sorted(FULL_REFUND_REASONS))
def test_full_refund_reasons_refuse_a_partial_amount(reason):
    with pytest.raises(RefundAmountError) as error:
        validate_amount(reason, 1000, order())
    assert error.value.code == "full_refund_only"
    assert validate_amount(reason, 3000, order()).amount_minor == 3000


def test_zero_decimal_currency_message():
    with pytest.raises(RefundAmountError) as error:
        validate_amount(PARTIAL_OK, 5001, order(amount_minor=5000, currency="jpy"))
    assert "5001 JPY" in error.value.message and "5000 JPY" in error.value.message


def test_errors_are_value_errors_for_callers_that_map_them_to_422():
    with pytest.raises(ValueError):
        validate_amount(PARTIAL_OK, 0, order())


def test_refunds_in_sequence_never_exceed_what_was_paid():
    """Property-style: whatever amounts are asked, the accepted ones never add up past the payment."""
    for paid in (1, 2, 99, 3000, 12001):
        for step in (1, 7, 1000, paid):
            refunded = 0
            while True:
                the_order = order(amount_minor=paid, already_refunded_minor=refunded)
                try:
                    accepted = validate_amount(PARTIAL_OK, step, the_order).amount_minor
                except RefundAmountError as error:
                    assert error.code in {"amount_exceeds_remaining", "nothing_left_to_refund"}
                    break
                refunded += accepted
                assert refunded <= paid
            assert paid - refunded < step or refunded == paid
