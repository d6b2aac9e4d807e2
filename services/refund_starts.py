"""Refunds recorded but never begun (Temporal did not answer, or the API died in between): started again, never lost."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from core.settings import Settings
from domain.refund_messages import RefundInput
from domain.refunds import RefundStatus
from services.refunds import start_refund_workflow
from store.db import Database
from store.refund_tables import Refund
from store.types import utcnow

log = logging.getLogger(__name__)
BATCH = 100


@dataclass(frozen=True)
class WaitingStart:
    """A recorded refund whose workflow has published nothing yet."""

    refund_id: str
    amount_minor: int
    workflow_input: RefundInput


def waiting_starts(session: Session, settings: Settings) -> list[WaitingStart]:
    """Refunds still `received` with an empty timeline after the grace period: their workflow may never have started."""
    cutoff = utcnow() - settings.refund_start_grace
    rows = session.exec(
        select(Refund)
        .where(Refund.status == RefundStatus.RECEIVED.value, Refund.timeline_length == 0, Refund.created_at < cutoff)
        .where(col(Refund.workflow_input).is_not(None))
        .order_by(col(Refund.created_at))
        .limit(BATCH)
    )
    return [WaitingStart(r.refund_id, r.amount_minor, RefundInput.model_validate(r.workflow_input)) for r in rows]


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
        except RPCError as error:
            log.warning(
                "refund workflow still cannot start", extra={"refund_id": waiting.refund_id, "error": str(error)}
            )
            break
        started += 1
        log.info("refund workflow started by recovery", extra={"refund_id": waiting.refund_id})
    return started
