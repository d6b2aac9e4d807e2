"""Registering orders and their activation, with the conflicts a shop integration can hit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.orders import OrderStatus, paid_order_status
from store.tables import Customer, Order
from store.types import utcnow

# Fields that define an order; a repeated registration must match them all.
ORDER_FIELDS = (
    "customer_id",
    "customer_email",
    "plan_months",
    "amount_minor",
    "currency",
    "payment_intent_id",
    "stripe_customer_id",
    "paid_at",
    "activated_at",
    "locale",
)


class OrderConflict(Exception):
    """The request clashes with what is recorded; the message says how."""


class PaymentTaken(OrderConflict):
    """The payment already pays another order."""

    def __init__(self, payment_intent_id: str, order_id: str) -> None:
        super().__init__(
            f"payment {payment_intent_id} already pays order {order_id}; a payment belongs to one order only"
        )
        self.payment_intent_id = payment_intent_id
        self.order_id = order_id


class OrderNotFound(LookupError):
    """No order has this id."""


def find_order(session: Session, order_id: str) -> Order | None:
    """The order with this id, if registered."""
    return session.get(Order, order_id)


def check_same_registration(existing: Order, fields: dict) -> None:
    """A repeated registration must match what is recorded; OrderConflict lists each difference."""
    differences = [
        f"{name} is {getattr(existing, name)!s}, not {fields.get(name)!s}"
        for name in ORDER_FIELDS
        if getattr(existing, name) != fields.get(name)
    ]
    if differences:
        raise OrderConflict(
            f"order {existing.order_id} is already registered with other data: " + "; ".join(differences)
        )


def check_may_order(session: Session, customer_id: str) -> None:
    """A customer restricted after a chargeback may not place new orders."""
    customer = session.get(Customer, customer_id)
    if customer is not None and customer.restricted:
        raise OrderConflict(
            f"customer {customer.customer_id} may not place new orders: {customer.restricted_reason or 'restricted'}"
        )


def check_payment_unused(session: Session, payment_intent_id: str) -> None:
    """A payment pays one order: OrderConflict names the order that already has it."""
    owner = session.exec(select(Order.order_id).where(Order.payment_intent_id == payment_intent_id)).first()
    if owner is not None:
        raise PaymentTaken(payment_intent_id, owner)


def add_order(session: Session, fields: dict) -> tuple[Order, bool]:
    """Record a new order (and its customer); return it and whether it was new.

    Registered meanwhile by a concurrent request: the same registration is that order, another is a conflict.
    """
    _record_customer(session, fields["customer_id"], fields["customer_email"])
    status = paid_order_status(fields.get("activated_at") is not None)
    order = Order(**fields, status=status.value)
    try:
        with session.begin_nested():  # a savepoint: the unique constraints decide a race, the session stays usable
            session.add(order)
    except IntegrityError as error:
        existing = find_order(session, fields["order_id"])
        if existing is not None:
            check_same_registration(existing, fields)
            return existing, False
        check_payment_unused(session, fields["payment_intent_id"])
        raise OrderConflict(f"order {fields['order_id']} could not be recorded: {error.orig}") from error
    return order, True


def _record_customer(session: Session, customer_id: str, email: str) -> None:
    """Create the customer, or update their email; a customer created meanwhile by a concurrent order is updated."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        try:
            with session.begin_nested():
                session.add(Customer(customer_id=customer_id, email=email))
            return
        except IntegrityError:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise
    customer.email = email
    customer.updated_at = utcnow()
    session.add(customer)


def record_activation(session: Session, order_id: str, activated_at: datetime) -> Order:
    """Record when the activation details were created and sent: from then the service counts as used."""
    order = get_order(session, order_id)
    if order.activated_at is not None:
        if order.activated_at == activated_at:
            return order
        raise OrderConflict(f"order {order_id} was already activated at {order.activated_at.isoformat()}")
    if activated_at < order.paid_at:
        raise OrderConflict(
            f"activation ({activated_at.isoformat()}) cannot precede payment ({order.paid_at.isoformat()})"
        )
    if order.status != OrderStatus.PAID:
        raise OrderConflict(f"order {order_id} is {order.status}; it can no longer be activated")
    order.activated_at = activated_at
    order.status = OrderStatus.ACTIVE.value
    order.updated_at = utcnow()
    session.add(order)
    return order


def get_order(session: Session, order_id: str) -> Order:
    """The order with this id, or OrderNotFound."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(f"no order with id {order_id}")
    return order


def orders_of_customer(session: Session, customer_id: str) -> list[Order]:
    """A customer's orders, newest payment first."""
    return list(session.exec(select(Order).where(Order.customer_id == customer_id).order_by(col(Order.paid_at).desc())))
