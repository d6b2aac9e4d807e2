"""Disputes: opened after a pm_card_createDispute payment; evidence, submission, outcome, close, list."""

from __future__ import annotations

import calendar
import time
from typing import Any

from stripe_emulator.cards import FRAUD_REASON_CODES
from stripe_emulator.context import Ctx
from stripe_emulator.errors import bad_request, unknown_parameter
from stripe_emulator.events import emit
from stripe_emulator.fixtures import build, template
from stripe_emulator.ids import new_id
from stripe_emulator.listing import LIST_PARAMS, list_response, select
from stripe_emulator.money import DISPUTE_FEE
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.resources import balance_transactions
from stripe_emulator.scheduler import job, schedule

# Chargebacks that hold the charge's money: Stripe refuses refunds with `charge_disputed` (is_charge_refundable false).
CHARGED_BACK = ("needs_response", "under_review", "lost")
INQUIRY_OPEN = ("warning_needs_response", "warning_under_review")
AWAITING_EVIDENCE = ("needs_response", "warning_needs_response")
CLOSED = ("won", "lost", "warning_closed")
EVIDENCE_FIELDS = tuple(k for k in template("dispute", "evidence") if k != "enhanced_evidence")
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


def open_dispute(ctx: Ctx, charge: dict[str, Any], status: str = "needs_response", reason: str = "fraudulent") -> dict:
    """A dispute on the whole charge; a chargeback withdraws the amount plus the dispute fee."""
    inquiry = status.startswith("warning_")
    dispute_id = new_id("dp")
    card = charge["payment_method_details"]["card"]
    evidence = build("dispute", {k: None for k in EVIDENCE_FIELDS} | {"enhanced_evidence": {}}, path="evidence")
    details = build(
        "dispute",
        {"due_by": _due_by(ctx.now), "has_evidence": False, "past_due": False, "submission_count": 0, "enhanced_eligibility": {}},
        path="evidence_details",
    )
    transactions = []
    if not inquiry:
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
        transactions.append(withdrawal["id"])
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
                        "network_reason_code": FRAUD_REASON_CODES.get(card["brand"], "10.4"),
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
        extra={"_balance_transactions": transactions},
    )
    ctx.store(dispute)
    charge["disputed"] = True
    ctx.touch(charge)
    emit(ctx, "charge.dispute.created", dispute)
    if not inquiry:
        emit(ctx, "charge.dispute.funds_withdrawn", dispute)
    return dispute


@job("dispute_open")
def open_after_payment(ctx: Ctx, spec: dict[str, Any]) -> None:
    """The dispute a pm_card_createDispute payment receives shortly after it succeeds."""
    charge = ctx.state.collection("charges").get(spec["target"])
    if charge is not None:
        open_dispute(ctx, charge, spec.get("status", "needs_response"))


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


@job("dispute_decide")
def decide(ctx: Ctx, spec: dict[str, Any]) -> None:
    """The bank's decision on submitted evidence."""
    dispute = ctx.state.collection("disputes").get(spec["target"])
    if dispute is None or dispute["status"] not in ("under_review", "warning_under_review"):
        return
    outcome = spec["outcome"]
    if dispute["status"] == "warning_under_review" and outcome == "won":
        outcome = "warning_closed"
    _close(ctx, dispute, outcome)


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
    for name in evidence:
        if name not in EVIDENCE_FIELDS:
            raise unknown_parameter(f"evidence[{name}]")
    submit = params.boolean("submit", default=True) and (params.has("evidence") or params.has("submit"))
    metadata = params.metadata()
    dispute = ctx.get("disputes", dispute_id, noun="dispute")
    if (evidence or submit) and dispute["status"] not in AWAITING_EVIDENCE:
        state = "closed" if dispute["status"] in CLOSED else "under review; its evidence was already submitted"
        raise bad_request(f"Dispute {dispute_id} is {state} and its evidence can no longer be updated.")
    before = public(ctx, dispute)
    previous: dict[str, Any] = {}
    if metadata is not None and metadata != dispute["metadata"]:
        previous["metadata"] = before["metadata"]
        dispute["metadata"] = metadata
    if evidence:
        previous["evidence"] = before["evidence"]
        dispute["evidence"].update({k: (str(v) if v != "" else None) for k, v in evidence.items()})
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
