"""`refunds dispute list | show | submit | accept`: finance follows chargebacks and answers them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import emit, fields, money, table, when

app = typer.Typer(
    help="Chargebacks (finance): follow them, submit evidence early, or accept them.", no_args_is_help=True
)
DisputeId = Annotated[str, typer.Argument(help="The Stripe dispute id (dp_...).", show_default=False)]


@app.command("list")
def list_disputes(
    status: Annotated[str | None, typer.Option("--status", help="Only disputes in this Stripe status.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Disputes, newest first, with their evidence deadline."""
    with staff_api(api_url, token) as api:
        items = api.get("/disputes", {"status": status, "limit": limit})
    if not items:
        emit("No disputes match.")
        return
    rows = (
        (
            d["dispute_id"],
            d["status"] + (" (suspended)" if d["suspended"] else ""),
            money(d["amount_minor"], d["currency"]),
            d["reason"],
            ", ".join(d["order_ids"]) or "-",
            when(d["evidence_due_at"]),
        )
        for d in items
    )
    emit(
        table(
            None,
            ("Dispute", "Status", "Amount", "Reason", "Orders", "Evidence due"),
            rows,
            right=("Amount",),
            whole=("Dispute",),
        )
    )


@app.command("show")
def show(dispute_id: DisputeId, api_url: ApiUrl = DEFAULT_API_URL, token: Token = None) -> None:
    """One dispute: the prior-contact decision and its facts, linked orders and refunds, the timeline."""
    with staff_api(api_url, token) as api:
        d = api.get(f"/disputes/{dispute_id}")
    _print(d)


def _print(d: dict[str, Any]) -> None:
    """A dispute as label/value lines and its timeline."""
    prior = {True: "yes: access kept", False: "no: access suspended", None: "not decided yet"}[d["prior_contact"]]
    lines = [
        ("Amount", money(d["amount_minor"], d["currency"])),
        ("Reason", d["reason"]),
        ("Customer", d["customer_id"]),
        ("Orders", ", ".join(d["order_ids"])),
        ("Refunds", ", ".join(d["refund_ids"])),
        ("Prior contact", prior),
        ("Clause", d["prior_contact_clause"]),
        ("Facts", "; ".join(d["prior_contact_evidence"])),
        ("Evidence due", when(d["evidence_due_at"])),
        ("Evidence sent", when(d["evidence_submitted_at"])),
        ("Outcome", d["outcome"]),
    ]
    emit(
        f"Dispute {d['dispute_id']}: {d['status']}",
        fields((label, value) for label, value in lines if value),
        table(
            "Timeline",
            ("When", "What", "Who", "Note"),
            (
                (when(e.get("at")), e.get("kind"), (e.get("actor") or {}).get("name"), e.get("note"))
                for e in d["timeline"]
            ),
        ),
    )


@app.command("submit")
def submit(
    dispute_id: DisputeId,
    text: Annotated[
        str | None, typer.Option("--text", help="Your own words for Stripe, added to the evidence we assemble.")
    ] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Submit the assembled evidence now instead of at the automatic time before the deadline."""
    with staff_api(api_url, token) as api:
        d, _ = api.post(f"/disputes/{dispute_id}/submit", {"uncategorized_text": text})
    emit(f"Dispute {dispute_id}: {d['status']}", d["message"])


@app.command("accept")
def accept(dispute_id: DisputeId, api_url: ApiUrl = DEFAULT_API_URL, token: Token = None) -> None:
    """Accept the dispute: no evidence is sent and the chargeback stands."""
    with staff_api(api_url, token) as api:
        d, _ = api.post(f"/disputes/{dispute_id}/accept", {})
    emit(f"Dispute {dispute_id}: {d['status']}", d["message"])
