"""Orders: registered by the shop, read by staff."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import ActorDep, SessionDep, StripeDep, permits
from api.guarded_route import GuardedRoute
from api.params import OrderIdPath
from api.schemas import ActivationRecord, OrderCreate, OrderPublic
from domain.permissions import Action
from services import orders

router = APIRouter(prefix="/orders", tags=["orders"], route_class=GuardedRoute)


@router.post(
    "",
    response_model=OrderPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[permits(Action.REGISTER_ORDER)],
    responses={
        200: {"description": "The same order was already registered"},
        409: {"description": "The order id is registered with other data, or its payment already pays another order"},
        422: {"description": "The payment at Stripe does not exist, has not succeeded, or differs from the order"},
        503: {"description": "Stripe could not be asked about the payment; nothing was recorded"},
    },
)
def create_order(
    body: OrderCreate, session: SessionDep, stripe_client: StripeDep, actor: ActorDep, response: Response
) -> OrderPublic:
    """Register a paid order once Stripe confirms its payment; a repeat is harmless. The customer keeps their first
    email."""
    order, created = orders.register_order(session, stripe_client, body.model_dump(), actor)
    if not created:
        response.status_code = status.HTTP_200_OK
    return OrderPublic.model_validate(order)


@router.post("/{order_id}/activation", response_model=OrderPublic, dependencies=[permits(Action.RECORD_ACTIVATION)])
def activate_order(order_id: OrderIdPath, body: ActivationRecord, session: SessionDep, actor: ActorDep) -> OrderPublic:
    """Record that the activation details were created and sent."""
    order = orders.record_activation(session, order_id, body.activated_at, actor)
    return OrderPublic.model_validate(order)


@router.get("/{order_id}", response_model=OrderPublic, dependencies=[permits(Action.READ_ORDERS)])
def read_order(order_id: OrderIdPath, session: SessionDep) -> OrderPublic:
    """One order with its status."""
    return OrderPublic.model_validate(orders.read_order(session, order_id))
