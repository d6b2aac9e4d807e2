"""Customer use cases: read a customer, record a contact with support, lift a restriction after a chargeback."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from domain.orders import CustomerEventKind, OrderEligibility
from domain.roles import Actor
from domain.shop_events import ShopEventType
from services.errors import Conflict, NotFound, use_case
from services.time_bounds import check_contact_time
from store import shop_events
from store.customer_events import events_of_customer, record_event
from store.dispute_tables import CustomerContact
from store.orders import eligibility as order_eligibility_of
from store.orders import orders_of_customer
from store.shop_events import iso
from store.tables import Customer, CustomerEvent, Order
from store.types import utcnow

CustomerView = tuple[Customer, list[Order], list[CustomerEvent]]


def _customer(session: Session, customer_id: str) -> Customer:
    """The customer with this id, or NotFound."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}")
    return customer


@use_case
def read_customer(session: Session, customer_id: str) -> CustomerView:
    """A customer, their restriction status, their orders (newest payment first) and their trail (oldest first)."""
    customer = _customer(session, customer_id)
    return customer, orders_of_customer(session, customer_id), events_of_customer(session, customer_id)


def eligibility(session: Session, customer_id: str) -> OrderEligibility:
    """Whether this customer may order now and, if not, why and since when (unknown customers may)."""
    return order_eligibility_of(session, customer_id)


@use_case
def contacts_of(session: Session, customer_id: str) -> list[CustomerContact]:
    """The customer's recorded contacts with support, newest first."""
    query = select(CustomerContact).where(CustomerContact.customer_id == customer_id)
    return list(session.exec(query.order_by(col(CustomerContact.contacted_at).desc())))


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
        customer_id=customer_id,
        channel=channel,
        contacted_at=contacted_at,
        note=note,
        recorded_by=actor.name,
        recorded_by_id=actor.actor_id,
    )
    session.add(contact)
    session.flush()
    return contact


@use_case
def lift_restriction(session: Session, customer_id: str, actor: Actor, note: str) -> CustomerView:
    """Let a restricted customer order again; who lifted it, when and why go on the customer's trail."""
    customer = _customer(session, customer_id)
    if not customer.restricted:
        raise Conflict(f"customer {customer_id} is not restricted")
    customer.restricted = False
    # The reason it was restricted stays as it was: the lifting is an entry of its own, not an edit of that reason.
    customer.updated_at = utcnow()
    session.add(customer)
    entry = record_event(
        session,
        customer_id,
        CustomerEventKind.RESTRICTION_LIFTED,
        actor,
        note=note,
        detail={"restricted_reason": customer.restricted_reason},
    )
    session.flush()
    # The shop learns it in the same transaction; the note is for staff, not the shop.
    lifted = {"customer_id": customer_id, "lifted_at": iso(entry.at)}
    shop_events.emit(session, ShopEventType.CUSTOMER_RESTRICTION_LIFTED, lifted, key=f"{customer_id}:{entry.id}")
    return read_customer(session, customer_id)
