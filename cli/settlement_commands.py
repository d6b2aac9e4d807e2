"""`refunds settlements | confirm-settlement`: finance follows issued refunds and reconciles them with Stripe."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import day, emit, table, when
from store.settlements import SettlementState


def _state(row: dict[str, Any]) -> str:
    """'due (overdue)', 'settled (!)' and so on."""
    marks = [" (overdue)" if row["overdue"] else "", " (!)" if row["needs_attention"] else ""]
    return row["state"] + "".join(marks)


def settlements(
    state: Annotated[
        SettlementState | None,
        typer.Option("--state", help="pending, due, settled or failed; default: issued and not settled."),
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="Only this currency (EUR, usd, ...).")] = None,
    due_within_days: Annotated[
        int, typer.Option("--due-within-days", min=0, max=60, help="A window ending within this many days is due.")
    ] = 2,
    expected_from: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Expected by this date or later.")
    ] = None,
    expected_to: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Expected by this date or earlier.")
    ] = None,
    needs_attention: Annotated[
        bool, typer.Option("--needs-attention", help="Only refunds a late Stripe failure flagged.")
    ] = False,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Save the matching refunds as CSV to this file ('-' prints it).", dir_okay=False),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Issued refunds with their expected dates, and totals per currency (finance)."""
    params = {
        "state": state.value if state else None,
        "currency": currency,
        "due_within_days": due_within_days,
        "expected_by_from": expected_from.date().isoformat() if expected_from else None,
        "expected_by_to": expected_to.date().isoformat() if expected_to else None,
        "needs_attention": "true" if needs_attention else None,
    }
    with staff_api(api_url, token) as api:
        if csv_file is not None:
            text = api.get_text("/settlements.csv", params)
        else:
            page = api.get("/settlements", params | {"limit": limit, "offset": offset})
    if csv_file is not None:
        _save_csv(text, csv_file)
        return
    if not page["items"]:
        emit(f"No settlements match (today is {page['today']} UTC).")
        return
    settled = any(r["settled_at"] for r in page["items"])
    rows = (
        (
            r["refund_id"],
            r["order_id"],
            f"{r['amount']} {r['currency'].upper()}",
            r["stripe_refund_id"],
            day(r["succeeded_at"]),
            r["expected_from"],
            r["expected_by"],
            *([day(r["settled_at"])] if settled else []),
            _state(r),
        )
        for r in page["items"]
    )
    columns = (
        "Refund",
        "Order",
        "Amount",
        "Stripe refund",
        "Succeeded",
        "From",
        "By",
        *(["Settled"] if settled else []),
        "State",
    )
    totals = ((t["currency"].upper(), t["count"], t["amount"]) for t in page["totals_by_currency"])
    shown = f"{offset + 1}-{offset + len(page['items'])} of {page['total']}"
    emit(
        table(None, columns, rows, right=("Amount",), whole=("Refund", "Order", "Stripe refund")),
        table("Totals per currency", ("Currency", "Refunds", "Amount"), totals, right=("Refunds", "Amount")),
        f"{shown} refunds; due = the window ends within {page['due_within_days']} days of {page['today']} (UTC)"
        + ("; (!) needs attention." if any(r["needs_attention"] for r in page["items"]) else "."),
        *(f"{r['refund_id']}: {r['action_needed']}" for r in page["items"] if r["action_needed"]),
    )


def _save_csv(text: str, target: Path) -> None:
    """Write the CSV where asked and say so on stderr."""
    if str(target) == "-":
        typer.echo(text, nl=False)
        return
    target.write_text(text, encoding="utf-8", newline="")
    typer.echo(f"Saved {max(len(text.splitlines()) - 1, 0)} refunds to {target}.", err=True)


def confirm_settlement(
    refund_id: Annotated[str, typer.Argument(help="The refund id (rf_...).", show_default=False)],
    note: Annotated[str | None, typer.Option("--note", help="What you saw, for the audit trail.")] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """The customer's bank shows the refund: settle it now, before its window ends (finance)."""
    with staff_api(api_url, token) as api:
        refund, _ = api.post(f"/settlements/{refund_id}/confirm", {"note": note})
    emit(f"Refund {refund_id}: {refund['status']} at {when(refund['settled_at'])}")
