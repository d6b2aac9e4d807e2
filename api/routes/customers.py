"""Customers and their orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import ActorDep, SessionDep, permits
from api.guarded_route import GuardedRoute
from api.params import CustomerIdPath
from api.schemas import CustomerEventPublic, CustomerPublic, OrderPublic
from domain.orders import OrderEligibility
from domain.permissions import Action
from domain.text import PlainText
from services import customers
from store.tables import Customer, CustomerEvent, Order

router = APIRouter(prefix="/customers", tags=["customers"], route_class=GuardedRoute)


def _public(customer: Customer, orders: list[Order], events: list[CustomerEvent]) -> CustomerPublic:
    """A customer with their orders and their trail."""
    return CustomerPublic.model_validate(customer).model_copy(
        update={
            "orders": [OrderPublic.model_validate(o) for o in orders],
            "events": [CustomerEventPublic.model_validate(e) for e in events],
        }
    )


@router.get("/{customer_id}", response_model=CustomerPublic, dependencies=[permits(Action.READ_ORDERS)])
def read_customer(customer_id: CustomerIdPath, session: SessionDep) -> CustomerPublic:
    """A customer, their restriction status and their orders."""
    return _public(*customers.read_customer(session, customer_id))


@router.get(
    "/{customer_id}/eligibility",
    response_model=OrderEligibility,
    dependencies=[permits(Action.CHECK_ELIGIBILITY)],
)
def read_eligibility(customer_id: CustomerIdPath, session: SessionDep) -> OrderEligibility:
    """May this customer order now? Ask before taking their money: a restricted customer's order is refused."""
    return customers.eligibility(session, customer_id)


class ContactCreate(BaseModel):
    """A time the customer reached support."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["contact_form", "whatsapp", "email", "phone", "chat"]
    contacted_at: AwareDatetime | None = Field(None, description="Default now.")
    note: PlainText | None = Field(None, max_length=2000)


class ContactPublic(BaseModel):
    """A recorded contact."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: str
    channel: str
    contacted_at: datetime
    note: str | None
    recorded_by: str
    recorded_by_id: str | None = Field(description="The staff id of whoever recorded it (absent on old contacts).")


class LiftRestriction(BaseModel):
    """Why an admin lifts a customer's restriction."""

    model_config = ConfigDict(extra="forbid")

    note: PlainText = Field(min_length=1, max_length=2000)


@router.post(
    "/{customer_id}/contacts",
    response_model=ContactPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[permits(Action.RECORD_CONTACT)],
)
def record_contact(
    customer_id: CustomerIdPath, body: ContactCreate, session: SessionDep, actor: ActorDep
) -> ContactPublic:
    """Record that the customer contacted support (this is 'prior contact' for a later chargeback)."""
    contact = customers.record_contact(session, customer_id, actor, body.channel, body.contacted_at, body.note)
    return ContactPublic.model_validate(contact)


@router.post(
    "/{customer_id}/lift-restriction", response_model=CustomerPublic, dependencies=[permits(Action.LIFT_RESTRICTION)]
)
def lift_restriction(
    customer_id: CustomerIdPath, body: LiftRestriction, session: SessionDep, actor: ActorDep
) -> CustomerPublic:
    """Let a restricted customer order again."""
    return _public(*customers.lift_restriction(session, customer_id, actor, body.note))
