"""Orders: the subscriptions refunds are about."""

from datetime import datetime
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict


class PlanMonths(IntEnum):
    """The subscription lengths the shop sells."""

    ONE = 1
    THREE = 3
    SIX = 6
    TWELVE = 12


class OrderStatus(StrEnum):
    """Where an order stands, from payment to the end of access."""

    PAID = "paid"  # paid, activation details not yet created and sent
    ACTIVE = "active"  # activation details sent: the service counts as used
    REFUNDED = "refunded"  # fully refunded: access ended
    SUSPENDED = "suspended"  # chargeback opened without prior contact
    CHARGED_BACK = "charged_back"  # dispute lost: access stays off


def paid_order_status(activated: bool) -> OrderStatus:
    """A paid order with its access (not refunded, suspended or charged back): active once activation was sent."""
    return OrderStatus.ACTIVE if activated else OrderStatus.PAID


class CustomerEventKind(StrEnum):
    """What an entry of a customer's audit trail records (store.tables.CustomerEvent)."""

    ORDER_REGISTERED = "order_registered"
    ORDER_ACTIVATED = "order_activated"
    # A later order gave another address: the customer's first one is kept, the order keeps the one it gave.
    EMAIL_DIFFERS = "email_differs"
    RESTRICTED = "restricted"
    RESTRICTION_LIFTED = "restriction_lifted"


class OrderEligibility(BaseModel):
    """Whether a customer may place an order now, and if not why and since when (the shop asks before charging)."""

    model_config = ConfigDict(frozen=True)

    customer_id: str
    may_order: bool
    message: str
    restricted_reason: str | None = None
    restricted_since: datetime | None = None


def order_eligibility(
    customer_id: str, restricted: bool, reason: str | None, since: datetime | None
) -> OrderEligibility:
    """The policy's "restrict future orders": a customer restricted after a chargeback may not order until lifted."""
    if not restricted:
        return OrderEligibility(customer_id=customer_id, may_order=True, message=f"Customer {customer_id} may order.")
    return OrderEligibility(
        customer_id=customer_id,
        may_order=False,
        message=f"customer {customer_id} may not place new orders: {reason or 'restricted'}",
        restricted_reason=reason,
        restricted_since=since,
    )
