"""Disputes: opened after a pm_card_createDispute payment; evidence, submission, outcome, close, list."""

from __future__ import annotations

import calendar
import time
from typing import Any

from stripe_emulator.cards import network_reason_code
from stripe_emulator.context import Ctx
from stripe_emulator.errors import bad_request
from stripe_emulator.events import emit
from stripe_emulator.fixtures import build
from stripe_emulator.ids import new_id
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.money import DISPUTE_FEE
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.resources import balance_transactions, dispute_evidence, early_fraud_warnings
from stripe_emulator.scheduler import job, schedule

# Chargebacks that hold the charge's money: Stripe refuses refunds with `charge_disputed` (is_charge_refundable false).
CHARGED_BACK = ("needs_response", "under_review", "lost")
INQUIRY_OPEN = ("warning_needs_response", "warning_under_review")
AWAITING_EVIDENCE = ("needs_response", "warning_needs_response")
CLOSED = ("won", "lost", "warning_closed")
EVIDENCE_FIELDS = dispute_evidence.FIELDS
# Stripe test mode: this uncategorized_text decides the outcome of submitted evidence.
OUTCOMES = {"winning_evidence": "won", "losing_evidence": "lost"}
EVIDENCE_WINDOW_DAYS = 7


def blocks_refund(ctx: Ctx, charge_id: str) -> bool:
    """Whether a chargeback on the charge forbids refunds."""
    return any(d["status"] in CHARGED_BACK for d in ctx.state.where("disputes", "charge", charge_id))


def _due_by(now: int) -> int:
    """End of the UTC day, seven days from now."""
    day = time.gmtime(now + EVIDENCE_WINDOW_DAYS * 86400)
    return calendar.timegm((day.tm_year, day.tm_mon, day.tm_mday, 23, 59, 59))


def _withdraw(ctx: Ctx, dispute_id: str, charge: dict[str, Any]) -> str:
    """The chargeback's withdrawal of the charge's amount plus the dispute fee; returns its balance transaction ID."""
    withdrawal = balance_transactions.record(
        ctx,
        amount=-charge["amount"],
        currency=charge["currency"],
        kind="adjustment",
        category="dispute",
        source=dispute_id,
        description=f"Chargeback withdrawal for {charge['id']}",
        fee=DISPUTE_FEE,
        fee_description="Dispute fee",
    )
    return withdrawal["id"]


def open_dispute(
    ctx: Ctx, charge: dict[str, Any], status: str = "needs_response", reason: str = "fraudulent", follow_ups: int = 0
) -> dict:
    """A dispute on the whole charge; a chargeback withdraws the amount plus the dispute fee.

    `follow_ups`: how many further disputes open, one after another, each once the previous one closed.
    """
    inquiry = status.startswith("warning_")
    dispute_id = new_id("dp")
    card = charge["payment_method_details"]["card"]
    evidence = build("dispute", {k: None for k in EVIDENCE_FIELDS} | {"enhanced_evidence": {}}, path="evidence")
    details = build(
        "dispute",
        {
            "due_by": _due_by(ctx.now),
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "enhanced_eligibility": {},
        },
        path="evidence_details",
    )
    transactions = [] if inquiry else [_withdraw(ctx, dispute_id, charge)]
    dispute = build(
        "dispute",
        {
            "amount": charge["amount"],
            "balance_transactions": None,  # computed when rendered
            "charge": charge["id"],
            "created": ctx.now,
            "currency": charge["currency"],
            "evidence": evidence,
            "evidence_details": details,
            "id": dispute_id,
            "is_charge_refundable": inquiry,
            "livemode": False,
            "metadata": {},
            "object": "dispute",
            "payment_intent": charge["payment_intent"],
            "payment_method_details": {
                "card": build(
                    "dispute",
                    {
                        "brand": card["brand"],
                        "case_type": "inquiry" if inquiry else "chargeback",
                        "network_reason_code": network_reason_code(reason, card["brand"]),
                        "network": card["network"],
                    },
                    path="payment_method_details.card",
                ),
                "type": "card",
            },
            "reason": reason,
            "status": status,
            "enhanced_eligibility_types": [],
        },
        extra={"_balance_transactions": transactions, "_follow_ups": follow_ups},
    )
    ctx.store(dispute)
    charge["disputed"] = True
    ctx.touch(charge)
    emit(ctx, "charge.dispute.created", dispute)
    if not inquiry:
        emit(ctx, "charge.dispute.funds_withdrawn", dispute)
    early_fraud_warnings.charge_changed(ctx, charge["id"])
    return dispute


def fully_refunded(charge: dict[str, Any]) -> bool:
    """Whether nothing is left to dispute: Stripe opens no dispute on a fully refunded charge."""
    return charge["amount_refunded"] >= charge["amount"]


@job("dispute_open")
def open_after_payment(ctx: Ctx, spec: dict[str, Any]) -> None:
    """The dispute a pm_card_createDispute-style payment gets shortly after it succeeds (none once fully refunded)."""
    charge = ctx.state.collection("charges").get(spec["target"])
    if charge is None or fully_refunded(charge):
        return
    status, reason = spec.get("status", "needs_response"), spec.get("reason", "fraudulent")
    open_dispute(ctx, charge, status, reason, follow_ups=spec.get("remaining", 0))


def _close(ctx: Ctx, dispute: dict[str, Any], status: str) -> None:
    """Close a dispute; a won chargeback reinstates the withdrawn amount."""
    previous = {"status": dispute["status"], "is_charge_refundable": dispute["is_charge_refundable"]}
    dispute["status"] = status
    dispute["is_charge_refundable"] = status == "won" or status == "warning_closed"
    ctx.touch(dispute)
    if status == "won" and dispute["_balance_transactions"]:
        reinstated = balance_transactions.record(
            ctx,
            amount=dispute["amount"],
            currency=dispute["currency"],
            kind="adjustment",
            category="dispute_reversal",
            source=dispute["id"],
            description=f"Chargeback reversal for {dispute['charge']}",
        )
        dispute["_balance_transactions"].append(reinstated["id"])
        ctx.touch(dispute)
        emit(ctx, "charge.dispute.funds_reinstated", dispute)
    emit(ctx, "charge.dispute.closed", dispute, previous)
    if dispute.get("_follow_ups"):
        # pm_card_createMultipleDisputes: the next dispute opens once this one closed.
        schedule(
            ctx,
            "dispute_open",
            dispute["charge"],
            ctx.settings.dispute_delay,
            status="needs_response",
            reason=dispute["reason"],
            remaining=dispute["_follow_ups"] - 1,
        )


@job("dispute_decide")
def decide(ctx: Ctx, spec: dict[str, Any]) -> None:
    """The bank's decision on submitted evidence."""
    dispute = ctx.state.collection("disputes").get(spec["target"])
    if dispute is None or dispute["status"] not in ("under_review", "warning_under_review"):
        return
    # Test evidence on an inquiry closes it either way: an inquiry is not won or lost, and evidence does not
    # escalate it.
    outcome = "warning_closed" if dispute["status"] == "warning_under_review" else spec["outcome"]
    _close(ctx, dispute, outcome)


def escalate(ctx: Ctx, dispute: dict[str, Any]) -> None:
    """An open inquiry becomes a chargeback awaiting evidence: the amount and fee are withdrawn, a new deadline runs."""
    before = public(ctx, dispute)
    charge = ctx.state.collection("charges")[dispute["charge"]]
    dispute["status"] = "needs_response"
    dispute["is_charge_refundable"] = False
    dispute["payment_method_details"]["card"]["case_type"] = "chargeback"
    dispute["evidence_details"]["due_by"] = _due_by(ctx.now)
    dispute["_balance_transactions"].append(_withdraw(ctx, dispute["id"], charge))
    ctx.touch(dispute)
    previous = {
        name: before[name] for name in ("status", "is_charge_refundable", "evidence_details", "payment_method_details")
    }
    previous["balance_transactions"] = before["balance_transactions"]
    emit(ctx, "charge.dispute.updated", dispute, previous)
    emit(ctx, "charge.dispute.funds_withdrawn", dispute)


def close_inquiries_after_refund(ctx: Ctx, charge_id: str) -> None:
    """A fully refunded charge closes its open inquiries."""
    charge = ctx.state.collection("charges")[charge_id]
    if not charge["refunded"]:
        return
    for dispute in ctx.state.where("disputes", "charge", charge_id):
        if dispute["status"] in INQUIRY_OPEN:
            _close(ctx, dispute, "warning_closed")


def update(ctx: Ctx, raw: dict[str, Any], dispute_id: str) -> dict[str, Any]:
    """POST /v1/disputes/{id}: stage or submit evidence (`submit` defaults to true), update metadata."""
    params = Params(raw, ("evidence", "metadata", "submit"))
    evidence = params.hash("evidence") or {}
    submit = params.boolean("submit", default=True) and (params.has("evidence") or params.has("submit"))
    metadata = params.metadata()
    dispute = ctx.get("disputes", dispute_id, noun="dispute")
    if (evidence or submit) and dispute["status"] not in AWAITING_EVIDENCE:
        state = "closed" if dispute["status"] in CLOSED else "under review; its evidence was already submitted"
        raise bad_request(f"Dispute {dispute_id} is {state} and its evidence can no longer be updated.")
    # Validated before anything changes: a refused update leaves the dispute as it was.
    new_evidence = dispute_evidence.merged(dispute["evidence"], evidence) if evidence else None
    before = public(ctx, dispute)
    previous: dict[str, Any] = {}
    if metadata is not None and metadata != dispute["metadata"]:
        previous["metadata"] = before["metadata"]
        dispute["metadata"] = metadata
    if new_evidence is not None:
        previous["evidence"] = before["evidence"]
        dispute["evidence"] = new_evidence
        dispute["evidence_details"]["has_evidence"] = any(dispute["evidence"][k] for k in EVIDENCE_FIELDS)
    if submit:
        previous["evidence_details"] = before["evidence_details"]
        previous["status"] = dispute["status"]
        dispute["evidence_details"]["submission_count"] += 1
        dispute["status"] = "warning_under_review" if dispute["status"].startswith("warning_") else "under_review"
        outcome = OUTCOMES.get((dispute["evidence"]["uncategorized_text"] or "").strip())
        if outcome:
            schedule(ctx, "dispute_decide", dispute_id, ctx.settings.dispute_decision_delay, outcome=outcome)
    ctx.touch(dispute)
    if previous:
        emit(ctx, "charge.dispute.updated", dispute, previous)
    return expand(ctx, public(ctx, dispute), params.expand())


def close(ctx: Ctx, raw: dict[str, Any], dispute_id: str) -> dict[str, Any]:
    """POST /v1/disputes/{id}/close: accept the dispute (it is lost; an inquiry just closes)."""
    params = Params(raw, ())
    dispute = ctx.get("disputes", dispute_id, noun="dispute")
    if dispute["status"] not in AWAITING_EVIDENCE:
        raise bad_request(f"Dispute {dispute_id} has status {dispute['status']} and can no longer be closed.")
    _close(ctx, dispute, "warning_closed" if dispute["status"].startswith("warning_") else "lost")
    return expand(ctx, public(ctx, dispute), params.expand())


def retrieve(ctx: Ctx, raw: dict[str, Any], dispute_id: str) -> dict[str, Any]:
    """GET /v1/disputes/{id}."""
    params = Params(raw, ())
    return expand(ctx, public(ctx, ctx.get("disputes", dispute_id, noun="dispute")), params.expand())


def list_disputes(ctx: Ctx, raw: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/disputes?charge=&payment_intent=."""
    params = Params(raw, (*LIST_PARAMS, "charge", "payment_intent"))
    charge, intent = params.id("charge"), params.id("payment_intent")
    items = select(ctx, "disputes", charge=charge, payment_intent=intent)
    return list_response(ctx, items, params, "/v1/disputes", "dispute")


ROUTES = [
    ("GET", "/v1/disputes", list_disputes),
    ("GET", "/v1/disputes/{dispute_id}", retrieve),
    ("POST", "/v1/disputes/{dispute_id}", update),
    ("POST", "/v1/disputes/{dispute_id}/close", close),
]
