"""Chargebacks under the policy: was there prior contact, what to submit as evidence, what an outcome does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.permissions import Action, acting_roles, permitted_roles, role_names
from domain.policy.checks import ActionCheck, RefusalCode, refuse
from domain.policy.clauses import POLICY_VERSION
from domain.roles import Role

# The policy lines a chargeback decision applies, quoted verbatim.
CLAUSE_CONTACT_FIRST = (
    "Before opening a dispute or chargeback with your bank, please contact us first. In most cases, we can "
    "resolve the issue faster directly with you."
)
CLAUSE_NO_PRIOR_CONTACT = (
    "If a chargeback is initiated without prior contact, we reserve the right to suspend active subscriptions "
    "associated with that payment and restrict future orders."
)


class DisputeStatus(StrEnum):
    """Stripe's dispute statuses."""

    WARNING_NEEDS_RESPONSE = "warning_needs_response"
    WARNING_UNDER_REVIEW = "warning_under_review"
    WARNING_CLOSED = "warning_closed"
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        """The bank decided (or the inquiry closed)."""
        return self in (DisputeStatus.WON, DisputeStatus.LOST, DisputeStatus.WARNING_CLOSED)

    @property
    def awaits_evidence(self) -> bool:
        """Evidence can still be submitted."""
        return self in (DisputeStatus.NEEDS_RESPONSE, DisputeStatus.WARNING_NEEDS_RESPONSE)


# Later statuses win when events arrive out of order.
_STATUS_RANK = {
    DisputeStatus.WARNING_NEEDS_RESPONSE: 0,
    DisputeStatus.NEEDS_RESPONSE: 0,
    DisputeStatus.WARNING_UNDER_REVIEW: 1,
    DisputeStatus.UNDER_REVIEW: 1,
    DisputeStatus.WARNING_CLOSED: 2,
    DisputeStatus.WON: 2,
    DisputeStatus.LOST: 2,
}


def newer_status(current: DisputeStatus, reported: DisputeStatus) -> DisputeStatus:
    """The status to keep when an event reports `reported`: never go back from a later stage."""
    return reported if _STATUS_RANK[reported] >= _STATUS_RANK[current] and not current.is_closed else current


class ContactFact(BaseModel):
    """A time the customer reached support: a refund request or a recorded contact."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    kind: str  # "refund_request" or "contact"
    reference: str  # refund id, or the contact's channel
    order_id: str | None = None


class PriorContactDecision(BaseModel):
    """Whether the customer contacted us before opening the chargeback, with the facts behind it."""

    model_config = ConfigDict(frozen=True)

    prior_contact: bool
    clause: str
    evidence: tuple[str, ...]
    policy_version: str = POLICY_VERSION


def decide_prior_contact(opened_at: datetime, contacts: list[ContactFact]) -> PriorContactDecision:
    """Prior contact = any refund request (whatever its outcome) or recorded contact before the dispute opened."""
    before = sorted((c for c in contacts if c.at < opened_at), key=lambda c: c.at)
    if before:
        evidence = tuple(f"{c.kind} {c.reference} at {c.at.isoformat()}" for c in before)
        return PriorContactDecision(prior_contact=True, clause=CLAUSE_CONTACT_FIRST, evidence=evidence)
    ignored = tuple(f"{c.kind} {c.reference} at {c.at.isoformat()} came after the dispute opened" for c in contacts)
    return PriorContactDecision(
        prior_contact=False,
        clause=CLAUSE_NO_PRIOR_CONTACT,
        evidence=ignored or ("no refund request or support contact before the dispute opened",),
    )


def evidence_submission_time(due_by: datetime, lead_time: timedelta, now: datetime) -> datetime:
    """When to submit evidence automatically: `lead_time` before the deadline, never in the past."""
    return max(due_by - lead_time, now)


class OrderEvidence(BaseModel):
    """What our records say about an order under dispute."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    plan_months: int
    amount: str
    paid_at: AwareDatetime
    activated_at: AwareDatetime | None = None
    customer_email: str


def build_evidence(
    orders: list[OrderEvidence], contacts: list[ContactFact], policy_version: str, extra_text: str | None
) -> dict[str, str]:
    """Stripe evidence fields from our records: the service, its delivery, the policy accepted, support contacts."""
    first = orders[0] if orders else None
    products = "; ".join(f"{o.plan_months}-month subscription (order {o.order_id}, {o.amount})" for o in orders)
    delivery = "; ".join(
        (
            f"order {o.order_id}: paid {o.paid_at.isoformat()}, "
            f"activation details created and sent {o.activated_at.isoformat()}"
        )
        if o.activated_at
        else f"order {o.order_id}: paid {o.paid_at.isoformat()}, activation details not sent"
        for o in orders
    )
    communication = "; ".join(f"{c.kind} {c.reference} at {c.at.isoformat()}" for c in contacts)
    evidence = {
        "product_description": f"Digital subscription delivered as activation credentials: {products}"[:20000],
        "access_activity_log": delivery[:20000],
        "refund_policy_disclosure": (
            f"The customer accepted our Refund & Returns Policy (version {policy_version}) at checkout; it asks "
            "customers to contact us before opening a chargeback."
        ),
        # Stripe has no field for support contacts: they go with the explanation of the refund refusal.
        "refund_refusal_explanation": (
            "Services count as used once activation details are created and sent; refunds are considered for "
            "unresolved technical issues, duplicate payments and unauthorized transactions. Support contacts: "
            + (communication or "none before the dispute")
        ),
    }
    if first is not None:
        evidence["customer_email_address"] = first.customer_email
        if first.activated_at is not None:
            evidence["service_date"] = first.activated_at.date().isoformat()
    if extra_text:
        evidence["uncategorized_text"] = extra_text
    return evidence


def check_dispute_action(status: DisputeStatus, already_acted: bool, actor_roles: Iterable[Role | str]) -> ActionCheck:
    """Finance (or admin) may submit evidence or accept once, while evidence is still awaited."""
    if not acting_roles(actor_roles, Action.ACT_ON_DISPUTE):
        return refuse(
            RefusalCode.FORBIDDEN_ROLE,
            f"Only {role_names(permitted_roles(Action.ACT_ON_DISPUTE))} staff can submit evidence or accept a dispute.",
        )
    if not status.awaits_evidence or already_acted:
        return refuse(
            RefusalCode.WRONG_STATE,
            f"This dispute is '{status.value}'; evidence was already submitted or the dispute accepted.",
        )
    return ActionCheck(allowed=True, message="Finance's action is taken.")
