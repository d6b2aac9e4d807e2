"""Balance transactions: the money movements of charges, refunds, refund failures and disputes."""

from __future__ import annotations

from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public

_DAY = 86400


def record(
    ctx: Ctx,
    *,
    amount: int,
    currency: str,
    kind: str,
    category: str,
    source: str,
    description: str | None = None,
    fee: int = 0,
    fee_description: str = "Stripe processing fees",
) -> dict[str, Any]:
    """Store a balance transaction; funds become available two days later, at midnight UTC."""
    fee_details = (
        [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": fee_description,
                "type": "stripe_fee",
            }
        ]
        if fee
        else []
    )
    transaction = build(
        "balance_transaction",
        {
            "amount": amount,
            "available_on": (ctx.now // _DAY + 2) * _DAY,
            "created": ctx.now,
            "currency": currency,
            "description": description,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": fee_details,
            "id": new_id("txn"),
            "net": amount - fee,
            "object": "balance_transaction",
            "reporting_category": category,
            "source": source,
            "status": "pending",
            "type": kind,
            "balance_type": "payments",
        },
    )
    return ctx.store(transaction)


def retrieve(ctx: Ctx, raw: dict[str, Any], transaction_id: str) -> dict[str, Any]:
    """GET /v1/balance_transactions/{id}."""
    params = Params(raw, ())
    transaction = ctx.get("balance_transactions", transaction_id, noun="balance transaction")
    return expand(ctx, public(ctx, transaction), params.expand())


ROUTES = [("GET", "/v1/balance_transactions/{transaction_id}", retrieve)]
