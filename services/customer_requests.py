"""A refund asked for by the customer on the public form: a contact, then a refund under the same policy."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlmodel import Session
from temporalio.client import Client

from core.settings import Settings
from domain.refunds import RefundReason
from domain.roles import customer_actor
from services.customers import record_contact
from services.errors import ServiceError
from services.refunds import RefundCreate, request_refund
from store.db import Database
from store.tables import Order
from store.types import utcnow

log = logging.getLogger("services.customer_requests")
FORM_CHANNEL = "request_form"


@dataclass(frozen=True)
class FormRequest:
    """What the customer typed: the order, the email they paid with, what happened, in their words."""

    order_id: str
    email: str
    reason: RefundReason
    description: str


def _matching_order(session: Session, request: FormRequest) -> Order | None:
    """The order, only when the email is the one it was paid with (case aside)."""
    order = session.get(Order, request.order_id)
    if order is None or order.customer_email.strip().lower() != request.email.strip().lower():
        return None
    return order


def _record(session: Session, request: FormRequest) -> str | None:
    """The contact, on the order's customer; None when order and email do not go together."""
    order = _matching_order(session, request)
    if order is None:
        return None
    note = f"refund request from the public form for order {order.order_id} ({request.reason.value}): "
    record_contact(
        session, order.customer_id, customer_actor(order.customer_id), FORM_CHANNEL, None, note + request.description
    )
    return order.customer_id


async def request_from_form(database: Database, settings: Settings, client: Client, request: FormRequest) -> None:
    """Record the contact and open the refund; answers nothing, so a wrong order/email pair looks like a right one."""
    customer_id = await database.atransact(lambda session: _record(session, request))
    if customer_id is None:
        log.info("refund form with no matching order", extra={"order_id": request.order_id[:64]})
        return
    body = RefundCreate(order_id=request.order_id, reason=request.reason, note=request.description[:2000])
    # The same request sent twice the same day (a double click, a reload) opens one refund.
    key = "form-" + hashlib.sha256(f"{request.order_id}:{request.reason}:{utcnow().date()}".encode()).hexdigest()[:32]
    try:
        prepared = await request_refund(database, settings, client, body, customer_actor(customer_id), key)
    except ServiceError as error:
        # An open refund, a chargeback, nothing left to refund: support sees the contact; the page says the same.
        log.info("refund form request not opened", extra={"order_id": request.order_id, "reason": error.message})
        return
    log.info("refund requested by the customer", extra={"refund_id": prepared.row.refund_id})
