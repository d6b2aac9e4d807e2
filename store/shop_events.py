"""Outgoing events to the shop: written with the change they announce, one delivery per subscribed endpoint."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.shop_events import ShopEventType, envelope, event_id
from store.shop_event_tables import ShopDelivery, ShopEndpoint
from store.tables import Order
from store.types import utcnow


class EndpointNotFound(LookupError):
    """No shop endpoint has this id."""


class DeliveryNotFound(LookupError):
    """The endpoint has no delivery with this id."""


class EndpointUrlTaken(Exception):
    """Another endpoint already has this URL."""


def emit(session: Session, event_type: ShopEventType, data: dict[str, Any], key: str) -> int:
    """Queue `event_type` for every active endpoint that wants it, in the caller's transaction; answers rows written.

    `key` names the change (e.g. the refund and its timeline step): the event id is derived from it, so publishing
    the same change again (an activity retried after its transaction committed) writes nothing new.
    """
    endpoints = [
        endpoint
        for endpoint in session.exec(select(ShopEndpoint).where(col(ShopEndpoint.active).is_(True)))
        if endpoint.event_types is None or event_type.value in endpoint.event_types
    ]
    if not endpoints:
        return 0
    id_ = event_id(f"{event_type.value}:{key}")
    queued = set(session.exec(select(ShopDelivery.endpoint_id).where(ShopDelivery.event_id == id_)))
    now = utcnow()
    body = envelope(event_type.value, id_, now, data)
    written = 0
    for endpoint in endpoints:
        if endpoint.endpoint_id in queued:
            continue
        session.add(
            ShopDelivery(
                endpoint_id=endpoint.endpoint_id,
                event_id=id_,
                event_type=event_type.value,
                payload=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
        written += 1
    return written


def emit_order(session: Session, event_type: ShopEventType, order: Order, key: str, **data: Any) -> int:
    """An event about one order: its id, its customer, its status now, and what the caller adds."""
    about = {"order_id": order.order_id, "customer_id": order.customer_id, "order_status": order.status}
    return emit(session, event_type, about | data, key)


def iso(value: datetime | None) -> str | None:
    """A timestamp as payloads carry it."""
    return value.isoformat() if value else None


# ---- Endpoints --------------------------------------------------------------------------------------


def new_secret() -> str:
    """A signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def add_endpoint(
    session: Session,
    url: str,
    event_types: list[str] | None,
    description: str | None,
    created_by_id: str,
    created_by_name: str,
    *,
    secret: str | None = None,
) -> ShopEndpoint:
    """Register a new endpoint with a fresh secret (or the one given); EndpointUrlTaken if its URL is registered."""
    taken = session.exec(select(ShopEndpoint).where(ShopEndpoint.url == url)).first()
    if taken is not None:
        raise EndpointUrlTaken(f"{url} is already registered as shop endpoint {taken.endpoint_id}")
    endpoint = ShopEndpoint(
        endpoint_id=f"ep_{uuid.uuid4().hex[:16]}",
        url=url,
        secret=secret or new_secret(),
        event_types=sorted(set(event_types)) if event_types else None,
        description=description,
        created_by_id=created_by_id,
        created_by_name=created_by_name,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def ensure_endpoint(session: Session, url: str, secret: str, created_by: str) -> ShopEndpoint:
    """The endpoint at `url`, active, signing with `secret`, for every event type; created when missing."""
    endpoint = session.exec(select(ShopEndpoint).where(ShopEndpoint.url == url)).first()
    if endpoint is None:
        description = "the embedded stack's local receiver"
        return add_endpoint(session, url, None, description, created_by, created_by, secret=secret)
    endpoint.secret, endpoint.active, endpoint.event_types = secret, True, None
    session.add(endpoint)
    return endpoint


def get_endpoint(session: Session, endpoint_id: str) -> ShopEndpoint:
    """The endpoint with this id, or EndpointNotFound."""
    endpoint = session.get(ShopEndpoint, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound(f"no shop endpoint with id {endpoint_id}")
    return endpoint


def list_endpoints(session: Session) -> list[ShopEndpoint]:
    """Every endpoint, oldest first."""
    return list(session.exec(select(ShopEndpoint).order_by(col(ShopEndpoint.created_at), col(ShopEndpoint.url))))


# ---- Deliveries ---------------------------------------------------------------------------------------

DELIVERY_STATUSES = ("pending", "delivered", "given_up")


def delivery_status(delivery: ShopDelivery) -> str:
    """`delivered`, `given_up`, or `pending` (not yet tried, or failed and waiting for its next attempt)."""
    if delivery.delivered_at is not None:
        return "delivered"
    return "given_up" if delivery.given_up_at is not None else "pending"


def list_deliveries(
    session: Session, endpoint_id: str, status: str | None, limit: int, offset: int
) -> tuple[list[ShopDelivery], int]:
    """An endpoint's deliveries, newest first, optionally of one status; and how many match in all."""
    get_endpoint(session, endpoint_id)
    where: list[Any] = [ShopDelivery.endpoint_id == endpoint_id]
    if status == "delivered":
        where.append(col(ShopDelivery.delivered_at).is_not(None))
    elif status == "given_up":
        where += [col(ShopDelivery.given_up_at).is_not(None), col(ShopDelivery.delivered_at).is_(None)]
    elif status == "pending":
        where += [col(ShopDelivery.given_up_at).is_(None), col(ShopDelivery.delivered_at).is_(None)]
    total = session.exec(select(func.count()).select_from(ShopDelivery).where(*where)).one()
    page = select(ShopDelivery).where(*where).order_by(col(ShopDelivery.id).desc()).offset(offset).limit(limit)
    return list(session.exec(page)), int(total)


def replay(session: Session, endpoint_id: str, delivery_id: int) -> ShopDelivery:
    """Send a delivery again as soon as the relay passes: same event id and body, attempts and span reset."""
    delivery = session.get(ShopDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != get_endpoint(session, endpoint_id).endpoint_id:
        raise DeliveryNotFound(f"shop endpoint {endpoint_id} has no delivery {delivery_id}")
    now = utcnow()
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.replayed_at = now
    delivery.delivered_at = None
    delivery.given_up_at = None
    delivery.last_status_code = None
    delivery.last_error = None
    delivery.claimed_by = None
    delivery.claimed_until = None
    session.add(delivery)
    session.flush()
    return delivery
