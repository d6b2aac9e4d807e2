"""Builders for policy facts with sensible defaults, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.policy import OrderFacts, OtherPayment, PolicyParameters, RefundRequestFacts
from domain.refunds import RefundReason

PAID_AT = datetime(2025, 12, 1, 10, 0, tzinfo=UTC)
DEFAULTS = PolicyParameters()


def order(**overrides: Any) -> OrderFacts:
    """A paid, not yet activated 3-month order of 30.00 EUR."""
    fields: dict[str, Any] = {
        "order_id": "ord_1",
        "customer_id": "cus_1",
        "plan_months": 3,
        "amount_minor": 3000,
        "currency": "eur",
        "paid_at": PAID_AT,
        "activated_at": None,
        "already_refunded_minor": 0,
        "payment_intent_id": "pi_1",
    }
    fields.update(overrides)
    return OrderFacts(**fields)


def request(reason: RefundReason | str, **overrides: Any) -> RefundRequestFacts:
    """A request by support agent 'agent_1', the customer having called one hour after paying."""
    fields: dict[str, Any] = {
        "reason": reason,
        "amount_minor": None,
        "customer_contacted_at": PAID_AT + timedelta(hours=1),
        "legal_basis": None,
        "requested_by": "agent_1",
    }
    fields.update(overrides)
    return RefundRequestFacts(**fields)


def payment(**overrides: Any) -> OtherPayment:
    """Another succeeded 30.00 EUR payment by the same customer, one minute after PAID_AT."""
    fields: dict[str, Any] = {
        "order_id": "ord_2",
        "payment_intent_id": "pi_2",
        "amount_minor": 3000,
        "currency": "eur",
        "paid_at": PAID_AT + timedelta(minutes=1),
        "succeeded": True,
        "refunded_minor": 0,
    }
    fields.update(overrides)
    return OtherPayment(**fields)
