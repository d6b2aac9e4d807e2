"""Customer use cases: read a customer, record a contact with support, lift a restriction after a chargeback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from domain.roles import Actor
from services.errors import Conflict, InvalidInput, NotFound, use_case
from store.dispute_tables import CustomerContact
from store.orders import orders_of_customer
from store.tables import Customer, Order
from store.types import utcnow

# Clocks differ a little between the agent's machine and ours; more than this in the future is a typo.
CLOCK_SKEW = timedelta(minutes=5)


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
    if contacted_at > now + CLOCK_SKEW:
        raise InvalidInput("contacted_at is in the future", code="contact_in_future")
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
    customer.restricted_reason = f"lifted by {actor.name}: {note}"
    customer.updated_at = utcnow()
    session.add(customer)
    session.flush()
    return read_customer(session, customer_id)
