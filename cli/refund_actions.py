"""`refunds cancel | troubleshoot | investigate | resolve-failure`: staff actions on a refund besides deciding it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.api_client import DEFAULT_API_URL, ApiUrl, Token, staff_api
from cli.tables import emit
from domain.refunds import FailureAction, InvestigationFinding, TroubleshootingOutcome

RefundId = Annotated[str, typer.Argument(help="The refund id (rf_...).", show_default=False)]
Note = Annotated[str | None, typer.Option("--note", help="Why, for the audit trail.")]


def _act(refund_id: str, action: str, body: dict[str, Any], api_url: str, token: str | None) -> dict[str, Any]:
    """POST one action and print where the refund stands now."""
    with staff_api(api_url, token) as api:
        refund, _ = api.post(f"/refunds/{refund_id}/{action}", body)
    emit(f"Refund {refund_id}: {refund['status']}")
    return refund


def cancel(refund_id: RefundId, note: Note = None, api_url: ApiUrl = DEFAULT_API_URL, token: Token = None) -> None:
    """Withdraw a refund before it is sent to Stripe (support); the customer is told."""
    _act(refund_id, "cancel", {"note": note}, api_url, token)


def troubleshoot(
    refund_id: RefundId,
    outcome: Annotated[
        TroubleshootingOutcome,
        typer.Argument(help="in_progress (still trying), resolved (no refund) or unresolved (to an approver)."),
    ],
    note: Annotated[str, typer.Option("--note", help="What was tried and what happened.", show_default=False)],
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Record a troubleshooting step on a technical-issue refund (support)."""
    _act(refund_id, "troubleshooting", {"outcome": outcome.value, "note": note}, api_url, token)


def investigate(
    refund_id: RefundId,
    finding: Annotated[
        InvestigationFinding,
        typer.Argument(help="confirmed (the payment was not the customer's) or not_confirmed."),
    ],
    note: Note = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Record the finding on an unauthorized-transaction claim (an approver other than the requester)."""
    _act(refund_id, "investigation", {"finding": finding.value, "note": note}, api_url, token)


def resolve_failure(
    refund_id: RefundId,
    action: Annotated[
        FailureAction, typer.Argument(help="retry (through Stripe again) or manual_payout (paid another way).")
    ],
    reference: Annotated[
        str | None, typer.Option("--reference", help="The payout's reference (bank transfer id); for manual_payout.")
    ] = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    token: Token = None,
) -> None:
    """Resolve a refund Stripe could not pay (finance): retry it, or record the payout made by hand."""
    _act(refund_id, "resolve-failure", {"action": action.value, "reference": reference}, api_url, token)
