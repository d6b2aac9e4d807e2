"""`refunds request | show | list | approve | reject`: support and approvers working refunds through the API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import emit, fields, money, table, when
from domain.refunds import RefundReason, RefundStatus
from domain.roles import SystemRole

Note = Annotated[str | None, typer.Option("--note", help="Why, for the audit trail.")]


def request(
    order_id: Annotated[str, typer.Argument(help="The shop's order id.", show_default=False)],
    reason: Annotated[RefundReason, typer.Argument(help="Why the customer wants the refund.", show_default=False)],
    amount: Annotated[
        int | None,
        typer.Option(
            "--amount", min=1, help="Partial amount in minor units (1250 = 12.50); default: all that is left."
        ),
    ] = None,
    note: Note = None,
    legal_basis: Annotated[
        str | None, typer.Option("--legal-basis", help="Local consumer law the customer invokes.")
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option("--idempotency-key", help="Repeat it to retry safely: the same key never makes a second refund."),
    ] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Ask for a refund on an order (support); prints the policy's decision."""
    body = {
        "order_id": order_id,
        "reason": reason.value,
        "amount_minor": amount,
        "note": note,
        "legal_basis": legal_basis,
    }
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    with staff_api(api_url, token) as api:
        created, response_headers = api.post("/refunds", body, headers=headers)
    replayed = response_headers.get("Idempotent-Replayed") == "true"
    decision = created.get("policy_decision")
    lines = [("Workflow", created["workflow_url"])]
    if decision:
        lines[:0] = [
            ("Decision", f"{decision['path']} (rule {decision['rule']}, policy {decision['policy_version']})"),
            ("Clause", decision["clause"]),
        ]
        if decision.get("needs_person"):
            lines.insert(2, ("Needs a person", decision["needs_person"]))
    emit(
        f"Refund {created['refund_id']} {'already requested with this key' if replayed else 'requested'}: "
        f"{created['status']}",
        fields(lines),
    )


def show(
    refund_id: Annotated[str, typer.Argument(help="The refund id (rf_...).", show_default=False)],
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """A refund: status, decision with its clause, approvals, Stripe refund, settlement window and timeline."""
    with staff_api(api_url, token) as api:
        refund = api.get(f"/refunds/{refund_id}")
    emit(
        f"Refund {refund['refund_id']}: {refund['status']}",
        fields(_summary(refund)),
        table(
            "Timeline",
            ("#", "At", "Step", "Status", "By", "Note"),
            (
                (e["seq"], when(e["at"]), e["kind"], e["status"], e["actor_name"], e.get("note"))
                for e in refund["timeline"]
            ),
            right=("#",),
        ),
    )


def _summary(refund: dict[str, Any]) -> list[tuple[str, Any]]:
    """The label/value lines of `show`."""
    decision = refund.get("policy_decision")
    approvals = refund.get("approvals") or []
    settlement = refund.get("settlement")
    lines: list[tuple[str, Any]] = [
        ("Order", refund["order_id"]),
        ("Customer", refund["customer_id"]),
        ("Amount", money(refund["amount_minor"], refund["currency"])),
        ("Reason", refund["reason"]),
        ("Requested", f"{when(refund['requested_at'])} by {refund['requested_by']}"),
        (
            "Decision",
            f"{decision['path']} (rule {decision['rule']}, policy {decision['policy_version']})" if decision else None,
        ),
        ("Clause", decision["clause"] if decision else None),
        ("Approvals", _approvals(approvals, refund["approvals_required"])),
        (
            "Stripe refund",
            f"{refund['stripe_refund_id']} ({refund['stripe_status']})" if refund.get("stripe_refund_id") else None,
        ),
        ("Window", f"{settlement['expected_from']} to {settlement['expected_by']}" if settlement else None),
        ("Settled", when(refund.get("settled_at"))),
    ]
    optional = [
        ("Needs a person", decision.get("needs_person") if decision else None),
        ("Earlier rejected", ", ".join(refund.get("earlier_rejected_refund_ids") or [])),
        ("Legal basis", refund.get("legal_basis")),
        ("Failure", refund.get("failure_reason")),
        ("Resolution", refund.get("resolution")),
        ("Dispute", refund.get("dispute_id")),
        ("Attention", refund.get("attention_reason")),
    ]
    return lines + [(label, value) for label, value in optional if value] + [("Workflow", refund["workflow_url"])]


def _approvals(approvals: list[dict[str, Any]], required: int) -> str:
    """'automatic (...)' or '1 of 2 required: dev-approver-1 as approver 2025-03-10 09:00 UTC'."""
    automatic = [a for a in approvals if a["acting_as"] == SystemRole.SYSTEM]
    if automatic:
        return f"automatic ({automatic[0].get('note') or 'verified by the system'}, {when(automatic[0]['at'])})"
    given = "; ".join(f"{a['actor_name']} as {a['acting_as']} {when(a['at'])}" for a in approvals)
    return f"{len(approvals)} of {required} required" + (f": {given}" if given else "")


def list_refunds(
    status: Annotated[RefundStatus | None, typer.Option("--status", help="Only refunds in this status.")] = None,
    order: Annotated[str | None, typer.Option("--order", help="Only this order's refunds.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer's refunds.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Refunds, newest first."""
    params = {
        "status": status.value if status else None,
        "order_id": order,
        "customer_id": customer,
        "limit": limit,
        "offset": offset,
    }
    with staff_api(api_url, token) as api:
        page = api.get("/refunds", params)
    if not page["items"]:
        emit("No refunds match.")
        return
    rows = (
        (
            r["refund_id"],
            r["status"] + (" (!)" if r["needs_attention"] else ""),
            r["order_id"],
            r["customer_id"],
            money(r["amount_minor"], r["currency"]),
            r["reason"],
            when(r["requested_at"]),
        )
        for r in page["items"]
    )
    emit(
        table(
            None,
            ("Refund", "Status", "Order", "Customer", "Amount", "Reason", "Requested"),
            rows,
            right=("Amount",),
            whole=("Refund", "Order"),
        ),
        f"{offset + 1}-{offset + len(page['items'])} of {page['total']} refunds"
        + ("; (!) needs finance's attention." if any(r["needs_attention"] for r in page["items"]) else "."),
    )


def _decide(verb: str, refund_id: str, note: str | None, api_url: str, token: str | None) -> None:
    """Approve or reject and say where the refund stands now."""
    with staff_api(api_url, token) as api:
        refund, _ = api.post(f"/refunds/{refund_id}/{verb}", {"note": note})
    human = len([a for a in refund["approvals"] if a["acting_as"] != SystemRole.SYSTEM])
    emit(f"Refund {refund_id}: {refund['status']} ({human} of {refund['approvals_required']} approvals)")


def approve(
    refund_id: Annotated[str, typer.Argument(help="The refund id (rf_...).", show_default=False)],
    note: Note = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Approve a refund (approver, or finance for the second approval of large amounts)."""
    _decide("approve", refund_id, note, api_url, token)


def reject(
    refund_id: Annotated[str, typer.Argument(help="The refund id (rf_...).", show_default=False)],
    note: Note = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Reject a refund; the customer is told."""
    _decide("reject", refund_id, note, api_url, token)
