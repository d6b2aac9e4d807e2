"""The customer's own refund page: read it (a visit is a contact), write to us, say the money arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session, col, select
from temporalio.client import Client

from domain.refund_messages import RefundState
from domain.refunds import RefundStatus
from domain.roles import customer_actor
from services.customers import record_contact
from services.errors import use_case
from services.refunds import read_refund
from services.settlements import confirm_settlement
from store.db import Database
from store.dispute_tables import CustomerContact
from store.refund_tables import Refund, RefundEvent
from store.tables import Order
from store.types import utcnow

# The channel of contacts made on the refund page (visits and messages); staff see it on the customer's contacts.
PAGE_CHANNEL = "refund_page"
PAYING = frozenset(
    {RefundStatus.APPROVED, RefundStatus.REFUNDING, RefundStatus.SETTLING, RefundStatus.SETTLED, RefundStatus.FAILED}
)
RECEIVED_NOTE = "the customer confirmed on their refund page that the refund reached them"


def visit_note(refund_id: str) -> str:
    """The contact a visit records: the customer looked at this refund's page."""
    return f"visited the page of refund {refund_id}"


@dataclass(frozen=True)
class RefundPage:
    """What the customer's page shows: their refund, its timeline, the order (for its language)."""

    refund: Refund
    events: list[RefundEvent]
    order: Order | None

    @property
    def status(self) -> RefundStatus:
        """The refund's status as the domain names it."""
        return RefundStatus(self.refund.status)

    @property
    def can_confirm_received(self) -> bool:
        """'I have received it' is offered while the bank's window runs."""
        return self.status is RefundStatus.SETTLING

    @property
    def is_paying(self) -> bool:
        """The refund is on its way (or paid): its statement dates mean something."""
        return self.status in PAYING

    @property
    def can_write(self) -> bool:
        """'Contact us before your bank' stays until the money has settled."""
        return self.status is not RefundStatus.SETTLED


@use_case
def open_page(session: Session, refund_id: str) -> RefundPage:
    """The refund's page; the first visit of each day is recorded as the customer's contact with us."""
    refund, events = read_refund(session, refund_id)
    actor = customer_actor(refund.customer_id)
    today = datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    seen_today = session.exec(
        select(CustomerContact.id).where(
            CustomerContact.customer_id == refund.customer_id,
            CustomerContact.channel == PAGE_CHANNEL,
            CustomerContact.recorded_by_id == actor.actor_id,
            CustomerContact.note == visit_note(refund_id),
            col(CustomerContact.contacted_at) >= today,
        )
    ).first()
    if seen_today is None:
        record_contact(session, refund.customer_id, actor, PAGE_CHANNEL, None, visit_note(refund_id))
    return RefundPage(refund=refund, events=events, order=session.get(Order, refund.order_id))


@use_case
def send_message(session: Session, refund_id: str, message: str) -> CustomerContact:
    """The customer's message from their refund page, kept as a contact for support (and the chargeback rule)."""
    refund, _events = read_refund(session, refund_id)
    note = f"message about refund {refund_id}: {message}"[:2000]
    return record_contact(session, refund.customer_id, customer_actor(refund.customer_id), PAGE_CHANNEL, None, note)


@use_case
async def confirm_received(database: Database, client: Client, refund_id: str) -> tuple[Refund, RefundState]:
    """The customer says the money is on their statement: the refund settles, with them as who confirmed."""
    refund = await database.atransact(lambda session: read_refund(session, refund_id)[0])
    return await confirm_settlement(database, client, refund_id, customer_actor(refund.customer_id), RECEIVED_NOTE)
