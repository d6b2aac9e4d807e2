"""Shop endpoint use cases: an admin registers where the shop receives our events, follows and replays deliveries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from domain.roles import Actor
from services.errors import Conflict, NotFound
from store import shop_events
from store.shop_event_tables import ShopDelivery, ShopEndpoint


@contextmanager
def _refusals() -> Iterator[None]:
    """The store's refusals as service errors."""
    try:
        yield
    except (shop_events.EndpointNotFound, shop_events.DeliveryNotFound) as error:
        raise NotFound(str(error)) from error
    except shop_events.EndpointUrlTaken as error:
        raise Conflict(str(error), code="endpoint_exists") from error


def register_endpoint(
    session: Session, actor: Actor, url: str, event_types: list[str] | None, description: str | None
) -> ShopEndpoint:
    """A new endpoint for `event_types` (None: every type) with a fresh signing secret, answered only this once."""
    with _refusals():
        return shop_events.add_endpoint(session, url, event_types, description, actor.actor_id, actor.name)


def list_endpoints(session: Session) -> list[ShopEndpoint]:
    """Every registered endpoint."""
    return shop_events.list_endpoints(session)


def list_deliveries(
    session: Session, endpoint_id: str, status: str | None, limit: int, offset: int
) -> tuple[list[ShopDelivery], int]:
    """An endpoint's deliveries, newest first, with how many match."""
    with _refusals():
        return shop_events.list_deliveries(session, endpoint_id, status, limit, offset)


def replay_delivery(session: Session, endpoint_id: str, delivery_id: int) -> ShopDelivery:
    """Send one delivery again soon (same event id, attempts reset): the shop lost it, or it was given up."""
    with _refusals():
        return shop_events.replay(session, endpoint_id, delivery_id)


def delivery_state(delivery: ShopDelivery) -> str:
    """`delivered`, `given_up` or `pending`, as admins read a delivery."""
    return shop_events.delivery_status(delivery)
