"""Dispute read model: what our records say about a disputed payment, and the dispute's published state."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from domain.dispute_messages import DisputeContext, PublishDispute, StripeDisputeSnapshot
from domain.disputes import ContactFact, OrderEvidence
from domain.money import Money
from domain.orders import CustomerEventKind, OrderStatus, paid_order_status
from domain.refunds import RefundStatus
from domain.roles import SYSTEM_ACTOR
from domain.shop_events import ShopEventType
from store.customer_events import record_event
from store.dispute_tables import CustomerContact, Dispute
from store.refund_tables import Refund
from store.shop_events import emit, emit_order, iso
from store.tables import Customer, Order
from store.types import utcnow


class DisputeNotFound(LookupError):
    """No dispute has this id."""


def load_context(session: Session, dispute: StripeDisputeSnapshot) -> DisputeContext:
    """The orders paid by the disputed payment, the customer's contacts with support, refunds in play."""
    orders = (
        list(session.exec(select(Order).where(Order.payment_intent_id == dispute.payment_intent_id)))
        if dispute.payment_intent_id
        else []
    )
    if not orders:
        return DisputeContext()
    customer_id = orders[0].customer_id
    order_ids = [o.order_id for o in orders]
    refunds = list(
        session.exec(select(Refund).where(or_(col(Refund.order_id).in_(order_ids), Refund.customer_id == customer_id)))
    )
    contacts = [
        ContactFact(at=r.requested_at, kind="refund_request", reference=r.refund_id, order_id=r.order_id)
        for r in refunds
    ]
    contacts += [
        ContactFact(at=c.contacted_at, kind="contact", reference=c.channel)
        for c in session.exec(select(CustomerContact).where(CustomerContact.customer_id == customer_id))
    ]
    on_these = [r for r in refunds if r.order_id in order_ids]
    return DisputeContext(
        customer_id=customer_id,
        order_ids=order_ids,
        orders=[
            OrderEvidence(
                order_id=o.order_id,
                plan_months=o.plan_months,
                amount=Money(amount_minor=o.amount_minor, currency=o.currency).format(),
                paid_at=o.paid_at,
                activated_at=o.activated_at,
                customer_email=o.customer_email,
            )
            for o in orders
        ],
        contacts=sorted(contacts, key=lambda c: c.at),
        open_refund_ids=[r.refund_id for r in on_these if RefundStatus(r.status).is_open],
        paid_refund_ids=[r.refund_id for r in on_these if RefundStatus(r.status).counts_toward_refunded],
    )


def publish(session: Session, message: PublishDispute) -> None:
    """Upsert the dispute row and apply its effects on orders and the customer, in one transaction."""
    state, effects = message.state, message.effects
    row = session.get(Dispute, state.dispute_id)
    if row is None:
        row = Dispute(
            dispute_id=state.dispute_id,
            workflow_id=state.workflow_id,
            charge_id=state.snapshot.charge_id,
            payment_intent_id=state.snapshot.payment_intent_id,
            amount_minor=state.snapshot.amount_minor,
            currency=state.snapshot.currency,
            reason=state.snapshot.reason,
            status=state.status.value,
            opened_at=state.snapshot.opened_at,
        )
    row.status = state.status.value
    row.customer_id = state.customer_id
    row.due_by = state.snapshot.due_by
    row.order_ids = list(state.order_ids)
    row.refund_ids = list(state.refund_ids)
    row.suspended = state.suspended
    row.evidence_due_at = state.evidence_due_at
    row.evidence_submitted_at = state.evidence_submitted_at
    row.outcome = state.outcome
    row.timeline = [entry.model_dump(mode="json") for entry in state.timeline]
    if state.decision is not None:
        row.prior_contact = state.decision.prior_contact
        row.prior_contact_clause = state.decision.clause
        row.prior_contact_evidence = list(state.decision.evidence)
    row.updated_at = utcnow()
    session.add(row)
    _apply_effects(session, effects, state.dispute_id)


def _apply_effects(session: Session, effects, dispute_id: str) -> None:
    """Suspend, reinstate or mark charged back the orders; restrict the customer; tell the shop of each change.

    Repeating changes nothing (each change happens only from the state before it), so no event is queued twice.
    """
    about = {"dispute_id": dispute_id, "reason": effects.reason}
    for order in _orders(session, effects.suspend_order_ids):
        if order.status in (OrderStatus.PAID, OrderStatus.ACTIVE):
            _set_status(session, order, OrderStatus.SUSPENDED, effects.reason)
            emit_order(session, ShopEventType.ORDER_SUSPENDED, order, f"{dispute_id}:{order.order_id}", **about)
    for order in _orders(session, effects.reinstate_order_ids):
        if order.status == OrderStatus.SUSPENDED:
            _set_status(session, order, paid_order_status(order.activated_at is not None), effects.reason)
            emit_order(session, ShopEventType.ORDER_REINSTATED, order, f"{dispute_id}:{order.order_id}", **about)
    for order in _orders(session, effects.charged_back_order_ids):
        if order.status != OrderStatus.REFUNDED:
            _set_status(session, order, OrderStatus.CHARGED_BACK, effects.reason)
            emit_order(session, ShopEventType.ORDER_CHARGED_BACK, order, f"{dispute_id}:{order.order_id}", **about)
    if effects.restrict_customer_id:
        customer = session.get(Customer, effects.restrict_customer_id)
        if customer is not None and not customer.restricted:
            customer.restricted = True
            customer.restricted_reason = effects.reason
            customer.restricted_at = utcnow()
            customer.updated_at = utcnow()
            session.add(customer)
            entry = record_event(
                session,
                customer.customer_id,
                CustomerEventKind.RESTRICTED,
                SYSTEM_ACTOR,
                note=effects.reason,
                detail={"dispute_id": dispute_id},
            )
            session.flush()  # the trail entry's id names this restriction in the event id
            emit(
                session,
                ShopEventType.CUSTOMER_RESTRICTED,
                {"customer_id": customer.customer_id, "restricted_at": iso(customer.restricted_at), **about},
                key=f"{customer.customer_id}:{entry.id}",
            )


def _orders(session: Session, order_ids: list[str]) -> list[Order]:
    """The orders with these ids."""
    return list(session.exec(select(Order).where(col(Order.order_id).in_(order_ids)))) if order_ids else []


def _set_status(session: Session, order: Order, status: OrderStatus, reason: str | None) -> None:
    """Change an order's status with the reason."""
    order.status = status.value
    order.status_reason = reason
    order.updated_at = utcnow()
    session.add(order)


def get_dispute(session: Session, dispute_id: str) -> Dispute:
    """The dispute with this id, or DisputeNotFound."""
    row = session.get(Dispute, dispute_id)
    if row is None:
        raise DisputeNotFound(f"no dispute with id {dispute_id}")
    return row
