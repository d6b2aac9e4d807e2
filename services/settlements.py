"""Settlement use cases: finance follows issued refunds until the bank shows them, and confirms one early."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from temporalio.client import Client

from domain.refund_messages import RefundState, SettlementConfirmation
from domain.roles import Actor
from services.errors import use_case
from services.refunds import update_refund
from store.db import Database
from store.refund_tables import Refund
from store.settlements import SettlementFilter, Total, settlement_rows, totals_by_currency, totals_by_expected_by
from workflows.refund import RefundWorkflow


@dataclass(frozen=True)
class SettlementPage:
    """A page of issued refunds with totals over every matching refund, not just this page."""

    rows: list[Refund]
    total: int
    by_currency: list[Total]
    by_expected_by: list[Total]


@use_case
def list_settlements(
    session: Session, spec: SettlementFilter, *, limit: int | None, offset: int = 0, totals: bool = True
) -> SettlementPage:
    """Issued refunds matching `spec`, soonest expected first, with totals per currency and per expected-by date."""
    rows, total = settlement_rows(session, spec, limit=limit, offset=offset)
    if not totals:
        return SettlementPage(rows=list(rows), total=total, by_currency=[], by_expected_by=[])
    return SettlementPage(
        rows=list(rows),
        total=total,
        by_currency=totals_by_currency(session, spec),
        by_expected_by=totals_by_expected_by(session, spec),
    )


@use_case
async def confirm_settlement(
    database: Database, client: Client, refund_id: str, actor: Actor, note: str | None
) -> tuple[Refund, RefundState]:
    """Finance confirms the customer's bank shows the refund: it settles before its window ends."""
    confirmation = SettlementConfirmation(actor=actor, note=note)
    return await update_refund(database, client, refund_id, RefundWorkflow.confirm_settlement, confirmation)
