"""Events the shop receives when our decisions change what it must do: their types, ids and payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

# Any fixed UUID works; it only has to stay the same, so one change always gets the same event id.
_EVENT_ID_NAMESPACE = uuid.UUID("5b1f0c3e-8d4a-4c1e-9a55-0f6f3c2d7e11")


class ShopEventType(StrEnum):
    """What happened, as the shop's provisioning needs to know it."""

    ORDER_ACCESS_ENDED = "order.access_ended"  # a full refund was paid: end the customer's access
    ORDER_SUSPENDED = "order.suspended"  # a chargeback opened without prior contact: suspend the subscription
    ORDER_REINSTATED = "order.reinstated"  # the dispute was won (or a paid refund failed): restore access
    ORDER_CHARGED_BACK = "order.charged_back"  # the dispute was lost: access stays off
    CUSTOMER_RESTRICTED = "customer.restricted"  # refuse new orders from this customer
    CUSTOMER_RESTRICTION_LIFTED = "customer.restriction_lifted"  # the customer may order again
    REFUND_STATUS_CHANGED = "refund.status_changed"  # a refund moved to another status


def event_id(key: str) -> str:
    """The event id (`webhook-id`) of the change named by `key`: the same key always gives the same id."""
    return f"evt_{uuid.uuid5(_EVENT_ID_NAMESPACE, key).hex}"


def envelope(event_type: str, event_id_: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of an event, per the Standard Webhooks payload structure (type, timestamp, data)."""
    return {"id": event_id_, "type": event_type, "timestamp": at.isoformat(), "data": data}
