"""GET /healthz: can we reach Temporal, the database and Stripe? What went wrong is told to staff only."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.auth import bearer_token, try_token
from api.guarded_route import GuardedRoute
from api.schemas import ComponentHealth, Health

router = APIRouter(tags=["health"], route_class=GuardedRoute)
CHECK_TIMEOUT_S = 3.0


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz(request: Request, response: Response) -> Health:
    """200 when every dependency answers, 503 with the failing one otherwise.

    Open to probes without a token: each part is then only `reachable` or `unreachable`. With a valid staff token the
    detail says what failed (an exception's text can name hosts and versions, so strangers do not see it).
    """
    state = request.app.state
    temporal, database, stripe_ = await asyncio.gather(
        _check(_temporal(state)), _check(asyncio.to_thread(state.database.ping)), _check(_stripe(state))
    )
    healthy = temporal.ok and database.ok and stripe_.ok
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    if not await run_in_threadpool(_asked_by_staff, request):
        temporal, database, stripe_ = (_without_detail(part) for part in (temporal, database, stripe_))
    return Health(status="ok" if healthy else "degraded", temporal=temporal, database=database, stripe=stripe_)


def _asked_by_staff(request: Request) -> bool:
    """Whether the request carries a valid staff token (an unknown one counts as a failed sign-in, as anywhere)."""
    token = bearer_token(request)
    if token is None:
        return False
    try:
        return try_token(request, token) is not None
    except HTTPException:  # too many failed sign-ins from this address: it sees what a stranger sees
        return False


def _without_detail(part: ComponentHealth) -> ComponentHealth:
    """What a stranger may know of one part."""
    return ComponentHealth(ok=part.ok, detail="reachable" if part.ok else "unreachable")


async def _temporal(state) -> None:
    """Ask the frontend for its health."""
    client = state.temporal.client
    if client is None:
        raise ConnectionError("not connected yet")
    await client.service_client.check_health()


async def _stripe(state) -> None:
    """A cheap authenticated read proves the key and the address."""
    await state.stripe.v1.events.list_async({"limit": 1})


async def _check(probe) -> ComponentHealth:
    """Run a probe with a timeout and describe the outcome."""
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception as error:  # any failure is "unreachable" for a health check
        return ComponentHealth(ok=False, detail=f"{type(error).__name__}: {error}"[:300])
    return ComponentHealth(ok=True, detail="reachable")
