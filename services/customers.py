"""Customer use cases: read a customer, record a contact with support, lift a restriction after a chargeback."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain.roles import Actor
from services.errors import Conflict, NotFound, use_case
from services.time_bounds import check_contact_time
from store.dispute_tables import CustomerContact
from store.orders import orders_of_customer
from store.tables import RESTRICTED_REASON_LENGTH, STAFF_NAME_LENGTH, Customer, Order
from store.types import utcnow

LIFTED_BY = "lifted by {name}: {note}"
# The longest note whose 'lifted by <name>: <note>' still fits the restriction reason, whoever lifts it.
LIFT_NOTE_MAX_LENGTH = RESTRICTED_REASON_LENGTH - len(LIFTED_BY.format(name="x" * STAFF_NAME_LENGTH, note=""))


def _customer(session: Session, customer_id: str) -> Customer:
    """The customer with this id, or NotFound."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}")
    return customer


@use_case
def read_customer(session: Session, customer_id: str) -> tuple[Customer, list[Order]]:
    """A customer, their restriction status and their orders (newest payment first)."""
    return _customer(session, customer_id), orders_of_customer(session, customer_id)


@use_case
def record_contact(
    session: Session, customer_id: str, actor: Actor, channel: str, contacted_at: datetime | None, note: str | None
) -> CustomerContact:
    """Record that the customer contacted support (this is 'prior contact' for a later chargeback)."""
    _customer(session, customer_id)
    now = utcnow()
    contacted_at = contacted_at or now
    # A customer exists through their orders; a contact before their first payment is about none of them.
    first_paid = min((order.paid_at for order in orders_of_customer(session, customer_id)), default=None)
    check_contact_time("contacted_at", contacted_at, now, first_paid_at=first_paid)
    contact = CustomerContact(
        customer_id=customer_id, channel=channel, contacted_at=contacted_at, note=note, recorded_by=actor.name
    )
    session.add(contact)
    session.flush()
    return contact


@use_case
def lift_restriction(session: Session, customer_id: str, actor: Actor, note: str) -> tuple[Customer, list[Order]]:
    """Let a restricted customer order again."""
    customer = _customer(session, customer_id)
    if not customer.restricted:
        raise Conflict(f"customer {customer_id} is not restricted")
    customer.restricted = False
    customer.restricted_reason = LIFTED_BY.format(name=actor.name, note=note)
    customer.updated_at = utcnow()
    session.add(customer)
    session.flush()
    return read_customer(session, customer_id)
