"""Where the shop receives our events: admins register endpoints, see each one's deliveries and replay one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints

from api.deps import MAX_OFFSET, ActorDep, SessionDep, permits
from api.guarded_route import GuardedRoute
from domain.permissions import Action
from domain.shop_events import ShopEventType
from domain.text import PlainText
from services import shop_endpoints
from store.shop_event_tables import ShopDelivery, ShopEndpoint
from store.shop_events import delivery_status

router = APIRouter(prefix="/shop-endpoints", tags=["shop events"], route_class=GuardedRoute)

EndpointIdPath = Annotated[PlainText, Path(max_length=64, description="A shop endpoint id (ep_...).")]
DeliveryIdPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="A delivery's id.")]
DeliveryStatus = Literal["pending", "delivered", "given_up"]
URL_LENGTH = 2000  # the column's
# What a URL may be as sent: below the column, so that normalising it (a trailing slash) still fits.
URL_INPUT_LENGTH = 1900


def _fits(url: AnyHttpUrl) -> AnyHttpUrl:
    """The URL as stored (normalised: percent-encoded, a trailing slash added) must fit its column too."""
    if len(str(url)) > URL_LENGTH:
        raise ValueError(f"URL should have at most {URL_LENGTH} characters once normalised")
    return url


class EndpointCreate(BaseModel):
    """A URL of the shop and the events it wants."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=URL_INPUT_LENGTH), AfterValidator(_fits)] = Field(
        description="Where events are POSTed (https in production)."
    )
    event_types: list[ShopEventType] | None = Field(
        None,
        min_length=1,
        max_length=len(ShopEventType),
        description="The event types it receives; omit for all (and future) ones.",
    )
    description: PlainText | None = Field(None, max_length=500)


class EndpointPublic(BaseModel):
    """A registered endpoint (its secret is shown only when it is registered)."""

    model_config = ConfigDict(from_attributes=True)

    endpoint_id: str
    url: str
    event_types: list[str] | None = Field(description="null: every event type.")
    description: str | None
    active: bool
    created_by_id: str
    created_by_name: str
    created_at: datetime


class EndpointCreated(EndpointPublic):
    """The new endpoint and its signing secret: store it now, it is never shown again."""

    secret: str = Field(description="`whsec_<base64>`: verify each event's `webhook-signature` with it.")


class DeliveryPublic(BaseModel):
    """One event for the endpoint: where its delivery stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str = Field(description="Sent as `webhook-id`, the same on every attempt and replay.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next, while it is pending.")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="The endpoint's answer to the last attempt (null: none came).")
    last_error: str | None
    delivered_at: datetime | None
    given_up_at: datetime | None
    replayed_at: datetime | None
    payload: dict[str, Any] = Field(description="The JSON body sent.")


class DeliveryPage(BaseModel):
    """A page of an endpoint's deliveries, newest first."""

    items: list[DeliveryPublic]
    total: int
    limit: int
    offset: int


def _delivery(row: ShopDelivery) -> DeliveryPublic:
    """A delivery as admins read it."""
    state = delivery_status(row)
    pending_until = row.next_attempt_at if state == "pending" else None
    return DeliveryPublic.model_validate(row.model_dump() | {"status": state, "next_attempt_at": pending_until})


def _endpoint(row: ShopEndpoint) -> EndpointPublic:
    """An endpoint without its secret."""
    return EndpointPublic.model_validate(row)


@router.post(
    "",
    response_model=EndpointCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=[permits(Action.MANAGE_SHOP_ENDPOINTS)],
)
def register_endpoint(body: EndpointCreate, session: SessionDep, actor: ActorDep) -> EndpointCreated:
    """Register a shop endpoint; the answer holds its signing secret, shown this once."""
    types = [t.value for t in body.event_types] if body.event_types else None
    row = shop_endpoints.register_endpoint(session, actor, str(body.url), types, body.description)
    return EndpointCreated.model_validate(row)


@router.get("", response_model=list[EndpointPublic], dependencies=[permits(Action.READ_SHOP_ENDPOINTS)])
def list_endpoints(session: SessionDep) -> list[EndpointPublic]:
    """Every registered shop endpoint, oldest first."""
    return [_endpoint(row) for row in shop_endpoints.list_endpoints(session)]


@router.get(
    "/{endpoint_id}/deliveries", response_model=DeliveryPage, dependencies=[permits(Action.READ_SHOP_ENDPOINTS)]
)
def list_deliveries(
    endpoint_id: EndpointIdPath,
    session: SessionDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first: status, attempts, the last answer or error."""
    rows, total = shop_endpoints.list_deliveries(session, endpoint_id, status_, limit, offset)
    return DeliveryPage(items=[_delivery(row) for row in rows], total=total, limit=limit, offset=offset)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryPublic,
    dependencies=[permits(Action.MANAGE_SHOP_ENDPOINTS)],
)
def replay_delivery(endpoint_id: EndpointIdPath, delivery_id: DeliveryIdPath, session: SessionDep) -> DeliveryPublic:
    """Send the delivery again within seconds, with the same event id and body; its attempts start again."""
    return _delivery(shop_endpoints.replay_delivery(session, endpoint_id, delivery_id))
