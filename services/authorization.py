"""May this actor take this action at all: domain.permissions decides, every entry point asks here.

Whether the refund's state allows it (separation of duties, status) is the workflow's and domain.policy's check.
"""

from __future__ import annotations

from domain.permissions import Action, may, permitted_roles, role_names
from domain.roles import Actor, Role
from services.errors import Forbidden

# What each action is, in a sentence's words ("You cannot <words>: ...").
ACTION_WORDS: dict[Action, str] = {
    Action.REGISTER_ORDER: "register orders",
    Action.RECORD_ACTIVATION: "record activations",
    Action.READ_ORDERS: "look up orders and customers",
    Action.RECORD_CONTACT: "record a customer's contact",
    Action.LIFT_RESTRICTION: "lift a customer's restriction",
    Action.REQUEST_REFUND: "request refunds",
    Action.READ_REFUNDS: "see refunds",
    Action.RECORD_TROUBLESHOOTING: "record troubleshooting",
    Action.RECORD_INVESTIGATION: "record an investigation finding",
    Action.DECIDE_REFUND: "approve or reject refunds",
    Action.CANCEL_REFUND: "cancel refunds",
    Action.RESOLVE_FAILURE: "resolve failed refunds",
    Action.READ_SETTLEMENTS: "see settlements",
    Action.CONFIRM_SETTLEMENT: "confirm settlements",
    Action.READ_DISPUTES: "see disputes",
    Action.ACT_ON_DISPUTE: "act on disputes",
    Action.CHECK_ELIGIBILITY: "check whether a customer may order",
    Action.MANAGE_SHOP_ENDPOINTS: "register shop endpoints or replay their events",
    Action.READ_SHOP_ENDPOINTS: "see the events sent to the shop",
}


def refusal(actor: Actor, action: Action) -> str:
    """'You cannot approve or reject refunds: that needs the role approver, finance or admin; you have support.'"""
    held = ", ".join(role.value for role in actor.roles) or "no role"
    needed = role_names(permitted_roles(action))
    return f"You cannot {ACTION_WORDS[action]}: that needs the role {needed}; you have {held}."


def authorize(actor: Actor, action: Action) -> Actor:
    """The actor when their roles allow `action`; Forbidden with a sentence otherwise."""
    if not may(actor.roles, action):
        raise Forbidden(refusal(actor, action))
    return actor


def authorize_admin(actor: Actor) -> Actor:
    """Staff records are managed by admins only (the CLI works on the database directly)."""
    if Role.ADMIN not in actor.roles:
        raise Forbidden("Only an admin can manage staff records.")
    return actor
