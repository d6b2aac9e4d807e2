"""Customers and their orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import ActorDep, SessionDep, require_roles
from api.routes.orders import STAFF_READERS
from api.schemas import CustomerPublic, OrderPublic
from domain.roles import Role
from store.dispute_tables import CustomerContact
from store.orders import orders_of_customer
from store.tables import Customer
from store.types import utcnow

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("/{customer_id}", response_model=CustomerPublic, dependencies=[require_roles(*STAFF_READERS)])
def read_customer(customer_id: str, session: SessionDep) -> CustomerPublic:
    """A customer, their restriction status and their orders."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer with id {customer_id}")
    orders = [OrderPublic.model_validate(order) for order in orders_of_customer(session, customer_id)]
    return CustomerPublic.model_validate(customer).model_copy(update={"orders": orders})


class ContactCreate(BaseModel):
    """A time the customer reached support."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["contact_form", "whatsapp", "email", "phone", "chat"]
    contacted_at: AwareDatetime | None = Field(None, description="Default now.")
    note: str | None = Field(None, max_length=2000)


class ContactPublic(BaseModel):
    """A recorded contact."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: str
    channel: str
    contacted_at: datetime
    note: str | None
    recorded_by: str


class LiftRestriction(BaseModel):
    """Why an admin lifts a customer's restriction."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000)


@router.post("/{customer_id}/contacts", response_model=ContactPublic, status_code=status.HTTP_201_CREATED, dependencies=[require_roles(Role.SUPPORT)])
def record_contact(customer_id: str, body: ContactCreate, session: SessionDep, actor: ActorDep) -> ContactPublic:
    """Record that the customer contacted support (this is 'prior contact' for a later chargeback)."""
    if session.get(Customer, customer_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer with id {customer_id}")
    now = utcnow()
    contacted_at = body.contacted_at or now
    if contacted_at > now + timedelta(minutes=5):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "contacted_at is in the future")
    contact = CustomerContact(customer_id=customer_id, channel=body.channel, contacted_at=contacted_at, note=body.note, recorded_by=actor.name)
    session.add(contact)
    session.flush()
    return ContactPublic.model_validate(contact)


@router.post("/{customer_id}/lift-restriction", response_model=CustomerPublic, dependencies=[require_roles(Role.ADMIN)])
def lift_restriction(customer_id: str, body: LiftRestriction, session: SessionDep, actor: ActorDep) -> CustomerPublic:
    """Let a restricted customer order again."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer with id {customer_id}")
    if not customer.restricted:
        raise HTTPException(status.HTTP_409_CONFLICT, f"customer {customer_id} is not restricted")
    customer.restricted = False
    customer.restricted_reason = f"lifted by {actor.name}: {body.note}"
    customer.updated_at = utcnow()
    session.add(customer)
    session.flush()
    return read_customer(customer_id, session)
