"""Temporal's answers told apart: a workflow that has ended is final; a service that did not answer is not."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from services.errors import Unavailable

T = TypeVar("T")
# Seconds a client (Stripe, an agent's screen) is asked to wait before trying again.
RETRY_AFTER_S = 5
NOTHING_CHANGED = "The workflow service did not answer; nothing was changed. Try again in a moment."
MAYBE_CHANGED = (
    "The workflow service did not confirm in time; the change may still be applied. "
    "Look at the refund again before trying again."
)


class WorkflowEnded(Exception):
    """Temporal says the workflow is closed (or was never there): nothing can change it any more."""


class WorkflowServiceUnavailable(Unavailable):
    """Temporal did not answer (unreachable, unavailable, timed out): the outcome is unknown, try again."""

    def __init__(self, detail: str = NOTHING_CHANGED) -> None:
        super().__init__(detail)
        self.detail = detail


def has_ended(error: RPCError) -> bool:
    """Temporal answers NOT_FOUND for a completed workflow ("workflow execution already completed") or an unknown ID."""
    return error.status == RPCStatusCode.NOT_FOUND


def unavailable(error: BaseException) -> WorkflowServiceUnavailable:
    """The 503 reason for an error after which Temporal may or may not have acted."""
    if isinstance(error, (TimeoutError, RPCTimeoutOrCancelledError)):
        return WorkflowServiceUnavailable(MAYBE_CHANGED)
    if isinstance(error, RPCError) and error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
        return WorkflowServiceUnavailable(MAYBE_CHANGED)
    return WorkflowServiceUnavailable(NOTHING_CHANGED)


async def ask_temporal(call: Awaitable[T], timeout: timedelta) -> T:
    """Await a Temporal call: WorkflowEnded if the workflow is closed, WorkflowServiceUnavailable if no answer came."""
    try:
        return await asyncio.wait_for(call, timeout.total_seconds())
    except RPCError as error:
        if has_ended(error):
            raise WorkflowEnded(error.message) from error
        raise unavailable(error) from error
    except (TimeoutError, RPCTimeoutOrCancelledError) as error:
        raise unavailable(error) from error
