"""What waits for a person: the queues of the console's landing page, by the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from domain.permissions import Action, may
from domain.refunds import RefundReason, RefundStatus
from domain.roles import Actor
from services.errors import use_case
from store.refund_tables import Refund
from store.work_queues import (
    escalated,
    needs_attention,
    queue,
    requested_by_other_person,
    requested_by_person,
    settlement_due,
    with_reason,
    with_status,
)

AWAITING = RefundStatus.AWAITING_APPROVAL
INVESTIGATING = RefundStatus.INVESTIGATING


@dataclass(frozen=True)
class WorkQueue:
    """One list of the landing page: its title, how many in all, the newest few, and the full list's filter."""

    key: str
    title: str
    total: int
    rows: list[Refund]
    link: str


def _approved_by(refund: Refund, person_id: str) -> bool:
    """Whether this person already gave one of the refund's approvals."""
    return any((a.get("actor") or {}).get("person_id") == person_id for a in refund.approvals)


@use_case
def my_work(session: Session, actor: Actor, today: date, limit: int = 8) -> list[WorkQueue]:
    """The queues this actor works on: support's, approvers', finance's (an admin sees them all)."""
    queues: list[WorkQueue] = []

    def add(key: str, title: str, link: str, *conditions, keep=None) -> None:
        rows, total = queue(session, *conditions, limit=limit if keep is None else 200)
        if keep is not None:
            kept = [row for row in rows if keep(row)]
            rows, total = kept, len(kept)
        queues.append(WorkQueue(key, title, total, list(rows)[:limit], link))

    person = actor.person
    if may(actor.roles, Action.RECORD_TROUBLESHOOTING):
        add(
            "troubleshooting",
            "Awaiting troubleshooting",
            "/console/refunds?status=investigating&reason=technical_issue",
            with_status(INVESTIGATING),
            with_reason(RefundReason.TECHNICAL_ISSUE),
        )
    if may(actor.roles, Action.REQUEST_REFUND):
        add("mine", "My recent requests", "/console/refunds?mine=1", requested_by_person(person))
    if may(actor.roles, Action.DECIDE_REFUND):
        add(
            "decide",
            "Waiting for my decision",
            "/console/refunds?status=awaiting_approval",
            with_status(AWAITING),
            requested_by_other_person(person),
            keep=lambda row: not _approved_by(row, person),
        )
        add(
            "overdue",
            "Reminders overdue",
            "/console/refunds?status=awaiting_approval",
            with_status(AWAITING),
            escalated(),
        )
    if may(actor.roles, Action.RECORD_INVESTIGATION):
        add(
            "investigation",
            "Unauthorized transactions to investigate",
            "/console/refunds?status=investigating&reason=unauthorized_transaction",
            with_status(INVESTIGATING),
            with_reason(RefundReason.UNAUTHORIZED_TRANSACTION),
            requested_by_other_person(person),
        )
    if may(actor.roles, Action.RESOLVE_FAILURE):
        add(
            "second",
            "Second approvals (finance)",
            "/console/refunds?status=awaiting_approval",
            with_status(AWAITING),
            requested_by_other_person(person),
            keep=lambda row: row.approvals_required == 2 and len(row.approvals) == 1 and not _approved_by(row, person),
        )
        add("failed", "Failed refunds", "/console/refunds?status=failed", with_status(RefundStatus.FAILED))
        add("attention", "Needing attention", "/console/refunds?needs_attention=1", needs_attention())
        add("due", "Settlements due", "/console/settlements?state=due", settlement_due(today))
    return queues
