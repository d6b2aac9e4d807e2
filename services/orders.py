"""Order use cases: the shop registers paid orders and their activation; staff read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import stripe
from sqlmodel import Session

from domain.payments import ClaimedPayment
from domain.roles import Actor
from services.errors import use_case
from services.payments import verify_payment
from services.time_bounds import check_activated_at, check_paid_at
from store import orders
from store.tables import Order
from store.types import utcnow


@use_case
def register_order(
    session: Session, stripe_client: stripe.StripeClient, fields: dict[str, Any], actor: Actor
) -> tuple[Order, bool]:
    """Record a paid order, registered by `actor`, once Stripe confirms its payment; answers it and whether it was new.

    A repeat of a recorded registration is harmless and needs no Stripe call. A customer's email is the first one
    given; an order giving another is recorded, never applied.
    """
    now = utcnow()
    check_paid_at(fields["paid_at"], now)
    if fields.get("activated_at") is not None:
        check_activated_at(fields["activated_at"], now)
    existing = orders.find_order(session, fields["order_id"])
    if existing is not None:
        orders.check_same_registration(existing, fields)
        return existing, False
    orders.check_may_order(session, fields["customer_id"])
    try:
        orders.check_payment_unused(session, fields["payment_intent_id"])
    except orders.PaymentTaken as taken:
        if taken.order_id != fields["order_id"]:
            raise
        # The same registration, committed by a concurrent request since the lookup above: that order is the answer.
        existing = orders.get_order(session, taken.order_id)
        orders.check_same_registration(existing, fields)
        return existing, False
    # End the read before asking Stripe: SQLite holds its write lock for the whole transaction, and Stripe may be slow.
    # Whatever changes meanwhile, the unique order id and payment intent still decide at the insert.
    session.commit()
    verify_payment(
        stripe_client,
        ClaimedPayment(
            payment_intent_id=fields["payment_intent_id"],
            amount_minor=fields["amount_minor"],
            currency=fields["currency"],
            stripe_customer_id=fields.get("stripe_customer_id"),
        ),
    )
    return orders.add_order(session, fields, actor)


@use_case
def record_activation(session: Session, order_id: str, activated_at: datetime | None, actor: Actor) -> Order:
    """Record that the activation details were created and sent (default now): the service counts as used."""
    now = utcnow()
    if activated_at is not None:
        check_activated_at(activated_at, now)
    return orders.record_activation(session, order_id, activated_at or now, actor)


@use_case
def read_order(session: Session, order_id: str) -> Order:
    """One order with its status."""
    return orders.get_order(session, order_id)
