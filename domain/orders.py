"""Orders: the subscriptions refunds are about."""

from enum import IntEnum, StrEnum


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
