"""Staff actions sent to workflows as Temporal updates, with the policy's refusals as HTTP answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from fastapi import HTTPException, status
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from api.temporal_errors import WorkflowEnded, ask_temporal
from domain.policy.checks import RefusalCode

T = TypeVar("T")
# Longer than the client's own ~10 s of reconnecting, so an unreachable Temporal is told apart from one that took
# the action but did not confirm it (that answer may still come: the agent must look before trying again).
STAFF_ACTION_TIMEOUT = timedelta(seconds=30)
# Refusal codes the workflows raise in update validators; anything else is a conflict with the state.
REFUSAL_STATUS = {
    RefusalCode.FORBIDDEN_ROLE.value: status.HTTP_403_FORBIDDEN,
    RefusalCode.MISSING_REFERENCE.value: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


async def send_update(client: Client, workflow_id: str, update: str, argument: Any, result_type: type[T], ended: str) -> T:
    """Execute a validated update; a refusal becomes 403/409/422 with its reason, an ended workflow 409 with `ended`.

    Temporal not answering raises WorkflowServiceUnavailable (503, try again): never "can no longer change".
    """
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await ask_temporal(handle.execute_update(update, argument, result_type=result_type), STAFF_ACTION_TIMEOUT)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError):
            raise HTTPException(REFUSAL_STATUS.get(cause.type or "", status.HTTP_409_CONFLICT), cause.message) from error
        raise
    except WorkflowEnded as error:
        raise HTTPException(status.HTTP_409_CONFLICT, ended) from error
