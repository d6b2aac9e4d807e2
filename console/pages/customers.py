"""Customer: orders, refunds, disputes, recorded contacts (record one), and the restriction (lifted by an admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.params import CustomerIdPath
from console.deps import PostDep, UserDep
from console.forms import required_text, text
from console.pages.common import render, see_other
from console.pages.new_refund import parse_contacted_at
from console.routing import ConsoleRoute
from domain.permissions import Action, may
from services import customers, disputes, refunds
from services.authorization import authorize

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
CHANNELS = ("contact_form", "whatsapp", "email", "phone", "chat")


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: CustomerIdPath, user: UserDep, session: SessionDep) -> HTMLResponse:
    """Everything about one customer that support, approvers and finance look at."""
    authorize(user.actor, Action.READ_ORDERS)
    customer, orders, events = customers.read_customer(session, customer_id)
    rows, _ = (
        refunds.list_refunds(session, customer_id=customer_id, limit=100)
        if may(user.actor.roles, Action.READ_REFUNDS)
        else ([], 0)
    )
    customer_disputes = (
        [d for d in disputes.list_disputes(session, limit=500) if d.customer_id == customer_id]
        if may(user.actor.roles, Action.READ_DISPUTES)
        else []
    )
    return render(
        request,
        user,
        "customer.html",
        customer=customer,
        orders=orders,
        events=events,
        refunds=rows,
        disputes=customer_disputes,
        contacts=customers.contacts_of(session, customer_id),
        channels=CHANNELS,
        can_record=may(user.actor.roles, Action.RECORD_CONTACT),
        can_lift=customer.restricted and may(user.actor.roles, Action.LIFT_RESTRICTION),
    )


@router.post("/customers/{customer_id}/contacts")
def record_contact(
    customer_id: CustomerIdPath,
    user: PostDep,
    session: SessionDep,
    channel: Annotated[Literal["contact_form", "whatsapp", "email", "phone", "chat"], Form()],
    contacted_at: Annotated[str | None, Form(max_length=30)] = None,
    note: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Record that the customer reached support (prior contact, should they dispute later)."""
    actor = authorize(user.actor, Action.RECORD_CONTACT)
    customers.record_contact(session, customer_id, actor, channel, parse_contacted_at(contacted_at), text(note, "note"))
    return see_other(f"/console/customers/{customer_id}?done=contact")


@router.post("/customers/{customer_id}/lift-restriction")
def lift_restriction(
    customer_id: CustomerIdPath,
    user: PostDep,
    session: SessionDep,
    note: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Let a restricted customer order again, saying why."""
    actor = authorize(user.actor, Action.LIFT_RESTRICTION)
    customers.lift_restriction(session, customer_id, actor, required_text(note, "reason for lifting it"))
    return see_other(f"/console/customers/{customer_id}?done=lift-restriction")
