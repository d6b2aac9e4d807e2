"""Refunds recorded but never begun (Temporal did not answer, or the API died in between): started again, never lost.

A refund that cannot be started for reasons of its own (its recorded input no longer reads, Temporal refuses it) is
kept and marked for finance (needs_attention), and the others behind it still start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select
from temporalio.client import Client, RPCTimeoutOrCancelledError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core.settings import Settings
from domain.refund_messages import RefundInput
from domain.refunds import RefundStatus
from services.refunds import start_refund_workflow
from store.db import Database
from store.refund_tables import Refund
from store.types import utcnow

log = logging.getLogger(__name__)
BATCH = 100
NOT_STARTED = "its workflow could not be started ({why}); nothing was sent to Stripe"


@dataclass(frozen=True)
class WaitingStart:
    """A recorded refund whose workflow has published nothing yet."""

    refund_id: str
    amount_minor: int
    workflow_input: RefundInput


def mark_not_startable(session: Session, refund_id: str, why: str) -> None:
    """Keep the refund, flagged for finance with the reason; the recovery loop leaves it alone from now on."""
    refund = session.get(Refund, refund_id)
    if refund is None or refund.needs_attention:
        return
    refund.needs_attention = True
    refund.attention_reason = NOT_STARTED.format(why=why[:600])
    refund.updated_at = utcnow()
    session.add(refund)
    log.error("refund workflow cannot be started; marked for attention", extra={"refund_id": refund_id, "why": why})


def waiting_starts(session: Session, settings: Settings) -> list[WaitingStart]:
    """Refunds still `received` with an empty timeline after the grace period: their workflow may never have started.

    One whose recorded input cannot be read (recorded before inputs were kept, or by an incompatible version) is marked.
    """
    cutoff = utcnow() - settings.refund_start_grace
    rows = session.exec(
        select(Refund)
        .where(Refund.status == RefundStatus.RECEIVED.value, Refund.timeline_length == 0, Refund.created_at < cutoff)
        .where(col(Refund.needs_attention).is_(False))
        .order_by(col(Refund.created_at))
        .limit(BATCH)
    )
    waiting = []
    for row in rows:
        if row.workflow_input is None:
            mark_not_startable(session, row.refund_id, "it was recorded without its workflow input")
            continue
        try:
            data = RefundInput.model_validate(row.workflow_input)
        except ValidationError as error:
            wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3])
            mark_not_startable(session, row.refund_id, f"its recorded workflow input does not read: {wrong}")
            continue
        waiting.append(WaitingStart(row.refund_id, row.amount_minor, data))
    return waiting


def _is_refusal(error: Exception) -> bool:
    """Temporal answered and refused this start (an argument it will never take): trying again cannot help."""
    return isinstance(error, RPCError) and error.status == RPCStatusCode.INVALID_ARGUMENT


async def start_waiting(database: Database, client: Client, settings: Settings) -> int:
    """Start (or find running) each waiting refund's workflow; stop at the first sign Temporal is still away."""
    started = 0
    for waiting in await database.atransact(lambda session: waiting_starts(session, settings)):
        try:
            await start_refund_workflow(
                client, settings, waiting.refund_id, waiting.amount_minor, waiting.workflow_input
            )
        except WorkflowAlreadyStartedError:
            continue  # it ran and closed: its own publishing keeps the row
        except (RPCError, TimeoutError, RPCTimeoutOrCancelledError) as error:
            if not _is_refusal(error):
                log.warning(
                    "refund workflow still cannot start", extra={"refund_id": waiting.refund_id, "error": str(error)}
                )
                break
            await _mark(database, waiting.refund_id, f"the workflow service refused it: {error}")
            continue
        except Exception as error:  # a failure of this refund's own must not keep the ones behind it from starting
            log.exception("refund workflow start failed", extra={"refund_id": waiting.refund_id})
            await _mark(database, waiting.refund_id, f"{type(error).__name__}: {error}")
            continue
        started += 1
        log.info("refund workflow started by recovery", extra={"refund_id": waiting.refund_id})
    return started


async def _mark(database: Database, refund_id: str, why: str) -> None:
    """mark_not_startable in its own transaction."""
    await database.atransact(lambda session: mark_not_startable(session, refund_id, why))
