"""Every endpoint × every role: the HTTP layer lets through exactly whom domain.permissions names, README agrees.

The endpoints are read from the app's routes, so a new endpoint without an entry in ENDPOINTS fails here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from platform_support import api_settings, bearer
from starlette.routing import BaseRoute

from api.app import create_app
from console.routing import ConsoleRoute
from customer_pages.rendering import CustomerRoute
from domain.permissions import PERMISSIONS, Action, permitted_roles
from domain.roles import Role

# Each endpoint and the action it is (None: not a staff endpoint; Stripe signs webhooks, probes are open).
ENDPOINTS: dict[tuple[str, str], Action | None] = {
    ("GET", "/healthz"): None,
    ("GET", "/metrics"): None,
    ("POST", "/webhooks/stripe"): None,
    ("POST", "/orders"): Action.REGISTER_ORDER,
    ("POST", "/orders/{order_id}/activation"): Action.RECORD_ACTIVATION,
    ("GET", "/orders/{order_id}"): Action.READ_ORDERS,
    ("GET", "/customers/{customer_id}"): Action.READ_ORDERS,
    ("GET", "/customers/{customer_id}/eligibility"): Action.CHECK_ELIGIBILITY,
    ("POST", "/customers/{customer_id}/contacts"): Action.RECORD_CONTACT,
    ("POST", "/customers/{customer_id}/lift-restriction"): Action.LIFT_RESTRICTION,
    ("POST", "/refunds"): Action.REQUEST_REFUND,
    ("GET", "/refunds"): Action.READ_REFUNDS,
    ("GET", "/refunds/{refund_id}"): Action.READ_REFUNDS,
    ("POST", "/refunds/{refund_id}/troubleshooting"): Action.RECORD_TROUBLESHOOTING,
    ("POST", "/refunds/{refund_id}/investigation"): Action.RECORD_INVESTIGATION,
    ("POST", "/refunds/{refund_id}/approve"): Action.DECIDE_REFUND,
    ("POST", "/refunds/{refund_id}/reject"): Action.DECIDE_REFUND,
    ("POST", "/refunds/{refund_id}/cancel"): Action.CANCEL_REFUND,
    ("POST", "/refunds/{refund_id}/resolve-failure"): Action.RESOLVE_FAILURE,
    ("GET", "/settlements"): Action.READ_SETTLEMENTS,
    ("GET", "/settlements.csv"): Action.READ_SETTLEMENTS,
    ("POST", "/settlements/{refund_id}/confirm"): Action.CONFIRM_SETTLEMENT,
    ("GET", "/disputes"): Action.READ_DISPUTES,
    ("GET", "/disputes/{dispute_id}"): Action.READ_DISPUTES,
    ("POST", "/disputes/{dispute_id}/submit"): Action.ACT_ON_DISPUTE,
    ("POST", "/disputes/{dispute_id}/accept"): Action.ACT_ON_DISPUTE,
    ("POST", "/shop-endpoints"): Action.MANAGE_SHOP_ENDPOINTS,
    ("GET", "/shop-endpoints"): Action.READ_SHOP_ENDPOINTS,
    ("GET", "/shop-endpoints/{endpoint_id}/deliveries"): Action.READ_SHOP_ENDPOINTS,
    ("POST", "/shop-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay"): Action.MANAGE_SHOP_ENDPOINTS,
}
TOKENS = {
    Role.SUPPORT: "dev-support-1",
    Role.APPROVER: "dev-approver-1",
    Role.FINANCE: "dev-finance-1",
    Role.ADMIN: "dev-admin-1",
    Role.SHOP: "dev-shop-1",
}
README = Path(__file__).resolve().parents[2] / "README.md"


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """The API routes, including those of included routers (recent FastAPI keeps those unflattened)."""
    for route in routes:
        # The console's pages (console/) are not API operations: they sign people in with a session, not a token;
        # the customers' pages (customer_pages/) take no staff token at all (a signed link, or nothing).
        if isinstance(route, APIRoute) and not isinstance(route, ConsoleRoute | CustomerRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)


def app_routes() -> dict[tuple[str, str], APIRoute]:
    """Every (method, path) the app serves (our routers carry their own prefixes)."""
    app = create_app(api_settings("sqlite://", Path(".")))
    return {(method, route.path): route for route in _api_routes(app.routes) for method in route.methods or ()}


def declared_action(route: APIRoute) -> Action | None:
    """The action the route's permits() dependency checks, if any."""
    actions = [getattr(dependency.call, "action", None) for dependency in route.dependant.dependencies]
    found = [action for action in actions if action is not None]
    assert len(found) <= 1, route.path
    return found[0] if found else None


ROUTES = app_routes()
STAFF_ENDPOINTS = sorted(key for key, action in ENDPOINTS.items() if action is not None)


def test_every_endpoint_has_an_entry() -> None:
    assert set(ROUTES) == set(ENDPOINTS), "add the new endpoint (and its action) to ENDPOINTS"


@pytest.mark.parametrize("endpoint", sorted(ROUTES), ids=lambda e: f"{e[0]} {e[1]}")
def test_each_route_checks_its_action(endpoint: tuple[str, str]) -> None:
    assert declared_action(ROUTES[endpoint]) is ENDPOINTS[endpoint]


def test_every_action_is_reachable_and_admin_may_act_in_any_role() -> None:
    assert {action for action in ENDPOINTS.values() if action} == set(Action)
    assert all(Role.ADMIN in permitted_roles(action) for action in Action)


@pytest.fixture(scope="module")
async def matrix_api(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The real app on its own SQLite file (dev tokens on, Temporal unreachable)."""
    var_dir = tmp_path_factory.mktemp("matrix")
    app = create_app(api_settings(f"sqlite:///{var_dir / 'refunds.db'}", var_dir))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as client:
            yield client


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS, ids=lambda e: f"{e[0]} {e[1]}")
async def test_role_on_endpoint(matrix_api: httpx.AsyncClient, endpoint: tuple[str, str], role: Role) -> None:
    method, path = endpoint
    action = ENDPOINTS[endpoint]
    assert action is not None
    url = re.sub(r"\{[a-z_]+\}", "matrix-missing", path)
    response = await matrix_api.request(
        method, url, headers=bearer(TOKENS[role]), json={} if method == "POST" else None
    )
    if role in permitted_roles(action):
        # Let through: what follows is the use case's own answer (not found, invalid body, Temporal unreachable).
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["detail"].startswith("this needs the role ")


def permission_table() -> str:
    """The README's table of roles × actions, rendered from domain.permissions."""
    roles = [Role.SUPPORT, Role.APPROVER, Role.FINANCE, Role.ADMIN, Role.SHOP]
    lines = ["| Action | Endpoints | " + " | ".join(r.value for r in roles) + " |", "|---|---|" + "---|" * len(roles)]
    for action in Action:
        endpoints = ", ".join(f"`{m} {p}`" for (m, p), a in ENDPOINTS.items() if a is action)
        marks = " | ".join("✓" if r in permitted_roles(action) else "" for r in roles)
        lines.append(f"| {action.value} | {endpoints} | {marks} |")
    return "\n".join(lines)


def test_readme_table_matches_the_domain_table() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- permissions:start -->\n", 1)[1].split("\n<!-- permissions:end -->", 1)[0]
    assert block == permission_table(), "README's roles table is out of date; paste permission_table() into it"
    assert set(PERMISSIONS) == set(Action)
