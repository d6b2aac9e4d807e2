"""What every page shares: the navigation by role and the rendering of a template for the signed-in person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from console.templating import templates
from domain.permissions import Action, may
from domain.roles import Role
from services.console_sessions import SignedIn

# What a page says after a POST redirected to it (?done=<key>).
DONE = {
    "requested": "Refund requested; the policy's decision is below.",
    "approve": "Your approval is recorded.",
    "reject": "Rejected; the customer will be told.",
    "cancel": "Cancelled; no money was moved.",
    "troubleshooting": "Troubleshooting step recorded.",
    "investigation": "Investigation finding recorded.",
    "resolve-failure": "Failure resolution recorded.",
    "confirm-settlement": "Settlement confirmed.",
    "contact": "Contact recorded.",
    "lift-restriction": "Restriction lifted.",
    "evidence": "Your evidence was accepted and is being sent to Stripe now; this page shows when Stripe has it.",
    "accept": "Dispute accepted.",
    "staff-added": "Staff member added.",
    "password": "Password changed.",
    "revoked": "Staff record revoked.",
    "replayed": "The delivery is queued again with the same event id; the shop gets it within seconds.",
}


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation bar."""

    label: str
    href: str
    current: bool


# Each area and the action that lets a person see it (None: everyone; "admin": admins only).
AREAS: tuple[tuple[str, str, Action | str | None], ...] = (
    ("My work", "/console/", None),
    ("Refunds", "/console/refunds", Action.READ_REFUNDS),
    ("New refund", "/console/refunds/new", Action.REQUEST_REFUND),
    ("Settlements", "/console/settlements", Action.READ_SETTLEMENTS),
    ("Disputes", "/console/disputes", Action.READ_DISPUTES),
    ("Staff", "/console/staff", "admin"),
    ("Shop events", "/console/shop-events", Action.READ_SHOP_ENDPOINTS),
)


def _sees(user: SignedIn, need: Action | str | None) -> bool:
    """Whether this person's roles open the area."""
    if need is None:
        return True
    if need == "admin":
        return Role.ADMIN in user.actor.roles
    return may(user.actor.roles, Action(need))


def nav_for(user: SignedIn, path: str) -> list[NavItem]:
    """The areas this person may open, the current one marked."""
    items = []
    for label, href, need in AREAS:
        if _sees(user, need):
            current = path == href or (href != "/console/" and path.startswith(href) and not _more_specific(path, href))
            items.append(NavItem(label, href, current))
    return items


def _more_specific(path: str, href: str) -> bool:
    """Another area's link matches the path more closely ('/console/refunds/new' is not 'Refunds')."""
    return any(other != href and other.startswith(href) and path.startswith(other) for _, other, _ in AREAS)


def render(
    request: Request, user: SignedIn | None, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the console for this person."""
    context |= {"user": user, "nav": nav_for(user, request.url.path) if user else []}
    # Only our own sentences: a link cannot make the page say something else.
    context.setdefault("done", DONE.get(request.query_params.get("done", "")))
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """After a POST: go to the page that shows its result (a reload does not send the form again)."""
    return RedirectResponse(url, status_code=303)
