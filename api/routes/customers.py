"""Customers and their orders."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import SessionDep, require_roles
from api.routes.orders import STAFF_READERS
from api.schemas import CustomerPublic, OrderPublic
from store.orders import orders_of_customer
from store.tables import Customer

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("/{customer_id}", response_model=CustomerPublic, dependencies=[require_roles(*STAFF_READERS)])
def read_customer(customer_id: str, session: SessionDep) -> CustomerPublic:
    """A customer, their restriction status and their orders."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer with id {customer_id}")
    orders = [OrderPublic.model_validate(order) for order in orders_of_customer(session, customer_id)]
    return CustomerPublic.model_validate(customer).model_copy(update={"orders": orders})
