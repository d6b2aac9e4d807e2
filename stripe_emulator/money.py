"""Currencies, Stripe's processing fee and amount formatting for error messages."""

from __future__ import annotations

ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}
# Stripe's minimum charge amounts, in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_CHARGE = {
    "usd": 50,
    "eur": 50,
    "gbp": 30,
    "cad": 50,
    "aud": 50,
    "chf": 50,
    "jpy": 50,
    "sek": 300,
    "nok": 300,
    "dkk": 250,
}
MAXIMUM_CHARGE = 99_999_999
# ISO 4217 codes Stripe accepts for card payments that the emulator knows.
CURRENCIES = set(MINIMUM_CHARGE) | ZERO_DECIMAL | {"nzd", "sgd", "hkd", "mxn", "pln", "czk", "huf", "inr", "brl"}
DISPUTE_FEE = 1500


def processing_fee(amount: int) -> int:
    """Stripe's standard card fee: 2.9 % + 30 minor units."""
    return round(amount * 0.029) + 30


def format_amount(amount: int, currency: str) -> str:
    """`$10.00`, `¥1000`, `10.00 sek` as in Stripe's messages."""
    value = f"{amount}" if currency in ZERO_DECIMAL else f"{amount / 100:.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"
