"""People type major units; the service counts minor units, exactly, per currency."""

from __future__ import annotations

import pytest

from domain.money import major_units, minor_units


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("12.50", "eur", 1250), ("12,5", "eur", 1250), ("12", "usd", 1200), ("1250", "jpy", 1250), ("1.250", "tnd", 1250)],
)
def test_typed_amounts_become_minor_units(typed: str, currency: str, minor: int) -> None:
    assert minor_units(typed, currency) == minor
    assert minor_units(major_units(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "words"),
    [
        ("12.505", "eur", "EUR has 2 decimals; '12.505' has more"),
        ("12.5", "jpy", "JPY has 0 decimals"),
        ("0", "eur", "'0' is not an amount"),
        ("-3", "eur", "is not an amount"),
        ("ten", "eur", "'ten' is not an amount; type it in EUR such as 12.50"),
        ("nan", "eur", "is not an amount"),
        ("99999999999999999", "eur", "larger than any order we take"),
    ],
)
def test_amounts_that_cannot_be_paid_are_refused_in_words(typed: str, currency: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(".", r"\.")):
        minor_units(typed, currency)
