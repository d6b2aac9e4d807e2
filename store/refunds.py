"""Refund read model: opening a request, publishing workflow state, and the queries lists need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.money import Money
from domain.orders import OrderStatus
from domain.refund_messages import Notification, PublishRefund, RefundState, TimelineEntry
from domain.refunds import OPEN_STATUSES, REFUNDED_SO_FAR, RefundStatus
from domain.shop_events import ShopEventType
from store import shop_events
from store.dispute_tables import CustomerContact
from store.refund_tables import OutboxMessage, Refund, RefundEvent
from store.tables import Order
from store.types import utcnow


class OpenRefundExists(Exception):
    """The order already has a refund in progress; names it when known, so a retried request finds what it started."""

    def __init__(self, order_id: str, refund_id: str | None = None, status: str | None = None) -> None:
        if refund_id is None:
            message = f"order {order_id} already has an open refund; find it with GET /refunds?order_id={order_id}"
        else:
            message = (
                f"order {order_id} already has an open refund ({refund_id}, {status}): if your earlier request "
                "got no answer, this is the refund it started; otherwise finish or cancel it first"
            )
        super().__init__(message)
        self.order_id, self.refund_id, self.status = order_id, refund_id, status


class RefundNotFound(LookupError):
    """No refund has this id."""


def refuse_if_open_refund(session: Session, order_id: str, *, excluding: str | None = None) -> None:
    """Raise OpenRefundExists naming the order's open refund, if it has one other than `excluding`."""
    blocking = session.exec(select(Refund).where(Refund.open_order_id == order_id)).first()
    if blocking is not None and blocking.refund_id != excluding:
        raise OpenRefundExists(order_id, blocking.refund_id, blocking.status)


def open_refund_request(session: Session, refund: Refund) -> Refund:
    """Insert a new request; the unique open_order_id makes a second open refund on the order impossible."""
    refuse_if_open_refund(session, refund.order_id)
    refund.open_order_id = refund.order_id
    session.add(refund)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent request won the race
        raise OpenRefundExists(refund.order_id) from error
    return refund


def refunded_so_far(session: Session, order_id: str, *, excluding: str | None = None) -> int:
    """ "Refunded so far" on the order: the sum of its refunds in REFUNDED_SO_FAR (open or settled)."""
    query = select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
        Refund.order_id == order_id, col(Refund.status).in_([s.value for s in REFUNDED_SO_FAR])
    )
    if excluding:
        query = query.where(Refund.refund_id != excluding)
    return int(session.exec(query).one())


def other_orders_refunded_so_far(session: Session, order: Order) -> list[tuple[Order, int]]:
    """The customer's other orders, each with its "refunded so far", in one query (indexed by customer)."""
    refunded = (
        select(col(Refund.order_id), func.sum(Refund.amount_minor).label("refunded"))
        .where(Refund.customer_id == order.customer_id, col(Refund.status).in_([s.value for s in REFUNDED_SO_FAR]))
        .group_by(col(Refund.order_id))
        .subquery()
    )
    rows = session.exec(
        select(Order, func.coalesce(refunded.c.refunded, 0))
        .outerjoin(refunded, refunded.c.order_id == Order.order_id)
        .where(Order.customer_id == order.customer_id, Order.order_id != order.order_id)
    )
    return [(other, int(amount)) for other, amount in rows]


def rejected_refund_ids(session: Session, order_id: str, *, excluding: str | None = None) -> tuple[str, ...]:
    """The order's refund requests that were rejected, oldest first (`excluding` the one being made)."""
    query = select(Refund.refund_id).where(Refund.order_id == order_id, Refund.status == RefundStatus.REJECTED.value)
    if excluding:
        query = query.where(Refund.refund_id != excluding)
    return tuple(session.exec(query.order_by(col(Refund.requested_at), col(Refund.refund_id))))


def first_recorded_contact(session: Session, order: Order) -> datetime | None:
    """The earliest time our own clock recorded the customer reaching us since the order was paid, if any.

    A recorded contact's recorded_at or a refund request's requested_at on this order: never a time someone typed in.
    """
    contact = session.exec(
        select(func.min(CustomerContact.recorded_at)).where(
            CustomerContact.customer_id == order.customer_id, CustomerContact.recorded_at >= order.paid_at
        )
    ).one()
    request = session.exec(select(func.min(Refund.requested_at)).where(Refund.order_id == order.order_id)).one()
    times = [t for t in (contact, request) if t is not None]
    return min(times) if times else None


def publish(session: Session, message: PublishRefund) -> int:
    """Apply the workflow's state, append its new audit entries and queue its emails; safe to repeat."""
    state = message.state
    refund = session.get(Refund, state.refund_id)
    if refund is None:
        raise RefundNotFound(f"no refund with id {state.refund_id}")
    last_seq = max((entry.seq for entry in message.new_entries), default=0)
    if last_seq and last_seq < refund.timeline_length:
        return 0  # an older snapshot retried after a newer one landed: nothing to do
    previous_status = refund.status
    _apply_state(refund, state, last_seq)
    session.add(refund)
    written = _append_entries(session, state.refund_id, message.new_entries)
    step = last_seq or refund.timeline_length
    order = session.get(Order, state.order_id)
    if message.order_status and order is not None and order.status != message.order_status:
        previous_order_status = order.status
        order.status = message.order_status
        order.status_reason = f"refund {state.refund_id}"
        order.updated_at = utcnow()
        session.add(order)
        _tell_shop_order_status(session, refund, order, previous_order_status, step)
    if refund.status != previous_status:
        shop_events.emit(
            session,
            ShopEventType.REFUND_STATUS_CHANGED,
            {
                "refund_id": refund.refund_id,
                "order_id": refund.order_id,
                "customer_id": refund.customer_id,
                "status": refund.status,
                "previous_status": previous_status,
                "amount_minor": refund.amount_minor,
                "currency": refund.currency,
            },
            key=f"{refund.refund_id}:{step}:{refund.status}",
        )
    for notification in message.notifications:
        _queue_email(session, refund, order, notification, step)
    return written


def _tell_shop_order_status(session: Session, refund: Refund, order: Order, previous: str, step: int) -> None:
    """A full refund paid ends access (order.access_ended); a paid refund that failed after all restores it."""
    about = {"refund_id": refund.refund_id, "amount_minor": refund.amount_minor, "currency": refund.currency}
    key = f"{refund.refund_id}:{step}"
    if order.status == OrderStatus.REFUNDED:
        reason = "a full refund was paid"
        shop_events.emit_order(session, ShopEventType.ORDER_ACCESS_ENDED, order, key, **about, reason=reason)
    elif previous == OrderStatus.REFUNDED:
        reason = "the refund did not reach the customer after all"
        shop_events.emit_order(session, ShopEventType.ORDER_REINSTATED, order, key, **about, reason=reason)


def _apply_state(refund: Refund, state: RefundState, last_seq: int) -> None:
    """Copy the workflow's view onto the row."""
    refund.status = state.status.value
    refund.open_order_id = state.order_id if state.status in OPEN_STATUSES else None
    refund.amount_minor = state.amount_minor
    refund.approvals = [approval.model_dump(mode="json") for approval in state.approvals]
    refund.approvals_required = state.approvals_required
    refund.escalated = state.escalated
    refund.stripe_refund_id = state.stripe_refund_id
    refund.stripe_status = state.stripe_status
    refund.stripe_attempt = state.stripe_attempt
    refund.failure_reason = state.failure_reason
    refund.succeeded_at = state.succeeded_at
    refund.settled_at = state.settled_at
    refund.resolution = state.resolution
    refund.dispute_id = state.dispute_id
    if state.settlement is not None:
        refund.expected_from = state.settlement.expected_from
        refund.expected_by = state.settlement.expected_by
    if state.assessment is not None:
        refund.policy_version = state.assessment.policy_version
        refund.decision_path = state.assessment.path.value
        refund.decision_rule = state.assessment.rule.value
        refund.decision_clause = state.assessment.clause
        refund.decision_verified = state.assessment.verified
        refund.decision_needs_person = state.assessment.needs_person
        refund.decision_evidence = list(state.assessment.evidence)
    refund.timeline_length = max(refund.timeline_length, last_seq)
    refund.updated_at = utcnow()


def _append_entries(session: Session, refund_id: str, entries: Sequence[TimelineEntry]) -> int:
    """Insert entries not yet stored (a retried write finds them there and skips them)."""
    if not entries:
        return 0
    stored = set(
        session.exec(
            select(RefundEvent.seq).where(
                RefundEvent.refund_id == refund_id, col(RefundEvent.seq).in_([e.seq for e in entries])
            )
        )
    )
    written = 0
    for entry in entries:
        if entry.seq in stored:
            continue
        session.add(
            RefundEvent(
                refund_id=refund_id,
                seq=entry.seq,
                at=entry.at,
                kind=entry.kind,
                status=entry.status.value,
                actor_id=entry.actor.actor_id,
                actor_name=entry.actor.name,
                note=entry.note,
                detail=dict(entry.detail),
            )
        )
        written += 1
    return written


def _queue_email(session: Session, refund: Refund, order: Order | None, notification: Notification, seq: int) -> None:
    """Add one customer email to the outbox, once per (refund, step, template)."""
    key = f"{refund.refund_id}:{seq}:{notification.value}"
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.message_key == key)).first() is not None:
        return
    session.add(
        OutboxMessage(
            message_key=key,
            refund_id=refund.refund_id,
            to_email=order.customer_email if order else "",
            locale=order.locale if order else "en",
            template=notification.value,
            context=email_context(refund),
        )
    )


def email_context(refund: Refund) -> dict:
    """What a customer email may mention: never internal notes or staff names."""
    return {
        "refund_id": refund.refund_id,
        "order_id": refund.order_id,
        "amount": Money(amount_minor=refund.amount_minor, currency=refund.currency).format(),
        "reason": refund.reason,
        "clause": refund.decision_clause,
        "policy_version": refund.policy_version,
        "expected_from": refund.expected_from.isoformat() if refund.expected_from else None,
        "expected_by": refund.expected_by.isoformat() if refund.expected_by else None,
        "failure_reason": refund.failure_reason,
    }


def get_refund(session: Session, refund_id: str) -> Refund:
    """The refund with this id, or RefundNotFound."""
    refund = session.get(Refund, refund_id)
    if refund is None:
        raise RefundNotFound(f"no refund with id {refund_id}")
    return refund


def timeline(session: Session, refund_id: str) -> list[RefundEvent]:
    """A refund's audit trail in order."""
    return list(
        session.exec(select(RefundEvent).where(RefundEvent.refund_id == refund_id).order_by(col(RefundEvent.seq)))
    )
