"""Who may do what: one table of role × action, read by the HTTP layer and by the workflows' validators.

Admin may act in any role (it holds every role of the table); separation of duties (nobody approves their
own request, nobody gives both approvals, the requester never records the investigation finding) is checked
per refund by domain.policy and applies to admin like anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from domain.roles import Role


class Action(StrEnum):
    """Something a staff member (or the shop) asks the service to do."""

    REGISTER_ORDER = "register_order"
    RECORD_ACTIVATION = "record_activation"
    READ_ORDERS = "read_orders"  # orders and customers
    CHECK_ELIGIBILITY = "check_eligibility"  # may this customer order now (the shop asks before charging)
    RECORD_CONTACT = "record_contact"
    LIFT_RESTRICTION = "lift_restriction"
    REQUEST_REFUND = "request_refund"
    READ_REFUNDS = "read_refunds"
    RECORD_TROUBLESHOOTING = "record_troubleshooting"
    RECORD_INVESTIGATION = "record_investigation"
    DECIDE_REFUND = "decide_refund"  # approve or reject
    CANCEL_REFUND = "cancel_refund"
    RESOLVE_FAILURE = "resolve_failure"
    READ_SETTLEMENTS = "read_settlements"
    CONFIRM_SETTLEMENT = "confirm_settlement"
    READ_DISPUTES = "read_disputes"
    ACT_ON_DISPUTE = "act_on_dispute"  # submit evidence now, or accept
    MANAGE_SHOP_ENDPOINTS = "manage_shop_endpoints"  # register where the shop receives events, replay a delivery
    READ_SHOP_ENDPOINTS = "read_shop_endpoints"  # the endpoints and each one's deliveries


S, A, F, X, P = Role.SUPPORT, Role.APPROVER, Role.FINANCE, Role.ADMIN, Role.SHOP
# The roles that may take each action; admin is added to every row by `permitted_roles`.
PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.REGISTER_ORDER: frozenset({P}),
    Action.RECORD_ACTIVATION: frozenset({P}),
    Action.READ_ORDERS: frozenset({S, A, F, P}),
    Action.CHECK_ELIGIBILITY: frozenset({S, P}),
    Action.RECORD_CONTACT: frozenset({S}),
    Action.LIFT_RESTRICTION: frozenset({X}),
    Action.REQUEST_REFUND: frozenset({S}),
    Action.READ_REFUNDS: frozenset({S, A, F}),
    Action.RECORD_TROUBLESHOOTING: frozenset({S}),
    Action.RECORD_INVESTIGATION: frozenset({A}),
    Action.DECIDE_REFUND: frozenset({A, F}),
    Action.CANCEL_REFUND: frozenset({S, A}),
    Action.RESOLVE_FAILURE: frozenset({F}),
    Action.READ_SETTLEMENTS: frozenset({F}),
    Action.CONFIRM_SETTLEMENT: frozenset({F}),
    Action.READ_DISPUTES: frozenset({F}),
    Action.ACT_ON_DISPUTE: frozenset({F}),
    Action.MANAGE_SHOP_ENDPOINTS: frozenset({X}),
    Action.READ_SHOP_ENDPOINTS: frozenset({X}),
}


def roles_of(actor_roles: Iterable[Role | str]) -> frozenset[Role]:
    """Normalise roles given as enums or strings; unknown strings are ignored."""
    known = {r.value for r in Role}
    return frozenset(Role(r) for r in actor_roles if str(r) in known)


def permitted_roles(action: Action) -> frozenset[Role]:
    """The roles that may take `action`: its row of the table, and admin."""
    return PERMISSIONS[action] | {Role.ADMIN}


def acting_roles(actor_roles: Iterable[Role | str], action: Action) -> frozenset[Role]:
    """The roles this actor may take `action` as (an admin may act as any role of the row); empty: not allowed."""
    roles = roles_of(actor_roles)
    if Role.ADMIN in roles:
        return permitted_roles(action)
    return roles & PERMISSIONS[action]


def may(actor_roles: Iterable[Role | str], action: Action) -> bool:
    """Whether an actor holding these roles may take `action` at all."""
    return bool(acting_roles(actor_roles, action))


def role_names(roles: Iterable[Role]) -> str:
    """Render roles for a message in Role's order, e.g. 'approver, finance or admin'."""
    given = set(roles)
    names = [r.value for r in Role if r in given]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def refusal_message(action: Action, actor_roles: Iterable[Role | str]) -> str:
    """The HTTP layer's 403 sentence: 'this needs the role admin or finance; your token has support'."""
    wanted = " or ".join(sorted(r.value for r in permitted_roles(action)))
    held = ", ".join(str(r) for r in actor_roles) or "no role"
    return f"this needs the role {wanted}; your token has {held}"
