"""Registering orders and their activation, with the conflicts a shop integration can hit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.orders import CustomerEventKind, OrderEligibility, OrderStatus, order_eligibility, paid_order_status
from domain.roles import Actor
from store.customer_events import record_event
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


def eligibility(session: Session, customer_id: str) -> OrderEligibility:
    """Whether this customer may order now (a customer we do not know yet may)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return order_eligibility(customer_id, False, None, None)
    return order_eligibility(customer_id, customer.restricted, customer.restricted_reason, customer.restricted_at)


def check_may_order(session: Session, customer_id: str) -> None:
    """A customer restricted after a chargeback may not place new orders."""
    answer = eligibility(session, customer_id)
    if not answer.may_order:
        raise OrderConflict(answer.message)


def check_payment_unused(session: Session, payment_intent_id: str) -> None:
    """A payment pays one order: OrderConflict names the order that already has it."""
    owner = session.exec(select(Order.order_id).where(Order.payment_intent_id == payment_intent_id)).first()
    if owner is not None:
        raise PaymentTaken(payment_intent_id, owner)


def add_order(session: Session, fields: dict, actor: Actor) -> tuple[Order, bool]:
    """Record a new order (and its customer) as registered by `actor`; return it and whether it was new.

    Registered meanwhile by a concurrent request: the same registration is that order, another is a conflict.
    """
    customer = _record_customer(session, fields["customer_id"], fields["customer_email"])
    activated = fields.get("activated_at") is not None
    order = Order(
        **fields,
        status=paid_order_status(activated).value,
        registered_by_id=actor.actor_id,
        registered_by_name=actor.name,
        activated_by_id=actor.actor_id if activated else None,
        activated_by_name=actor.name if activated else None,
    )
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
    record_event(session, customer.customer_id, CustomerEventKind.ORDER_REGISTERED, actor, order_id=order.order_id)
    if activated:
        _record_activation_event(session, order, fields["activated_at"], actor)
    if customer.email != order.customer_email:
        # Whoever can register an order must not thereby redirect the customer's mail: the first address stays,
        # the order keeps (and its own emails go to) the one it gave, and the difference is on the record.
        record_event(
            session,
            customer.customer_id,
            CustomerEventKind.EMAIL_DIFFERS,
            actor,
            order_id=order.order_id,
            note=f"order {order.order_id} gave {order.customer_email}; the customer's address stays {customer.email}",
            detail={"kept": customer.email, "given": order.customer_email},
        )
    return order, True


def _record_customer(session: Session, customer_id: str, email: str) -> Customer:
    """The customer, created with this email if new (also when a concurrent order creates them meanwhile)."""
    customer = session.get(Customer, customer_id)
    if customer is not None:
        return customer
    try:
        with session.begin_nested():
            customer = Customer(customer_id=customer_id, email=email)
            session.add(customer)
        return customer
    except IntegrityError:
        existing = session.get(Customer, customer_id)
        if existing is None:
            raise
        return existing


def _record_activation_event(session: Session, order: Order, activated_at: datetime, actor: Actor) -> None:
    """Put an order's activation on its customer's trail."""
    record_event(
        session,
        order.customer_id,
        CustomerEventKind.ORDER_ACTIVATED,
        actor,
        order_id=order.order_id,
        detail={"activated_at": activated_at.astimezone(UTC).isoformat()},
    )


def record_activation(session: Session, order_id: str, activated_at: datetime, actor: Actor) -> Order:
    """Record when (and by whom) the activation details were created and sent: from then the service counts as used."""
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
    order.activated_by_id = actor.actor_id
    order.activated_by_name = actor.name
    order.status = OrderStatus.ACTIVE.value
    order.updated_at = utcnow()
    session.add(order)
    _record_activation_event(session, order, activated_at, actor)
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
