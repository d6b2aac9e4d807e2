"""Money as integer minor units plus an ISO 4217 currency code."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# Stripe's zero-decimal currencies: their minor unit is the major unit.
ZERO_DECIMAL_CURRENCIES = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())

# Stripe counts these in thousandths (https://docs.stripe.com/currencies#three-decimal).
THREE_DECIMAL_CURRENCIES = frozenset("bhd jod kwd omr tnd".split())

# ISO 4217 codes Stripe settles in that this shop accepts; others are refused with a clear message.
SUPPORTED_CURRENCIES = frozenset(
    "usd eur gbp chf cad aud nzd sek nok dkk pln czk huf ron bgn jpy mxn brl inr sgd hkd "
    "aed sar zar try ils mad tnd dzd".split()
)


# The most an amount may be: the largest integer every JSON client reads exactly (JavaScript's 2**53 - 1). The read
# model's BIGINT columns hold it, and sums of many such amounts, with room to spare; Stripe refuses far less anyway.
MAX_AMOUNT_MINOR = 2**53 - 1


def _whole_number(value: object) -> object:
    """2501.0 is the JSON integer 2501 (JSON Schema's `integer` says so); 2501.5, "2501" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An amount in minor units as a client sends it: a JSON integer (not "100", not true), positive and bounded.
AmountMinor = Annotated[int, Field(strict=True, gt=0, le=MAX_AMOUNT_MINOR), BeforeValidator(_whole_number)]


def _normalise_currency(code: str) -> str:
    """Lower-case and check an ISO 4217 code, as Stripe spells currencies."""
    lowered = code.strip().lower()
    if lowered not in SUPPORTED_CURRENCIES:
        raise ValueError(f"'{code}' is not a currency we accept; use a three-letter ISO 4217 code such as EUR or USD")
    return lowered


def _any_case(code: str) -> str:
    """'eur' as a case-blind regular expression, '[eE][uU][rR]' (JSON Schema patterns have no flags)."""
    return "".join(f"[{letter}{letter.upper()}]" for letter in code)


# What the contract says a currency is; the validator's sentence explains a refusal better than a pattern would.
CURRENCY_PATTERN = "^(?:" + "|".join(_any_case(code) for code in sorted(SUPPORTED_CURRENCIES)) + ")$"
Currency = Annotated[
    str,
    AfterValidator(_normalise_currency),
    Field(json_schema_extra={"pattern": CURRENCY_PATTERN, "description": "ISO 4217 code we accept, any case."}),
]
MinorUnits = Annotated[int, Field(ge=0, description="Amount in the currency's minor unit (cents).")]


class Money(BaseModel):
    """An amount in minor units with its currency."""

    model_config = ConfigDict(frozen=True)

    amount_minor: MinorUnits
    currency: Currency

    def format(self) -> str:
        """Human-readable amount, e.g. '12.50 EUR'."""
        return f"{major_units(self.amount_minor, self.currency)} {self.currency.upper()}"


def minor_unit_decimals(currency: str) -> int:
    """How many decimals the currency's minor unit has, as Stripe counts them."""
    code = currency.lower()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if code in THREE_DECIMAL_CURRENCIES else 2


def major_units(amount_minor: int, currency: str) -> str:
    """'12.50' for 1250 eur, '1250' for 1250 jpy, '1.250' for 1250 tnd: the figure a Stripe report shows."""
    decimals = minor_unit_decimals(currency)
    return f"{Decimal(amount_minor).scaleb(-decimals):.{decimals}f}"


def minor_units(amount: str, currency: str) -> int:
    """'12.50' EUR gives 1250, '1250' JPY gives 1250: the amount a person types, in the currency's minor unit.

    ValueError (a sentence) for anything that is not a positive amount with at most the currency's decimals.
    """
    decimals = minor_unit_decimals(currency)
    text = amount.strip().replace(",", ".")
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise ValueError(f"'{amount}' is not an amount; type it in {currency.upper()} such as 12.50")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency.upper()} has {decimals} decimals; '{amount}' has more")
    if scaled > MAX_AMOUNT_MINOR:
        raise ValueError(f"'{amount}' {currency.upper()} is larger than any order we take")
    return int(scaled)
