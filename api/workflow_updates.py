"""Staff actions sent to workflows as Temporal updates, with the policy's refusals as HTTP answers."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import HTTPException, status
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from domain.policy.checks import RefusalCode

T = TypeVar("T")
# Refusal codes the workflows raise in update validators; anything else is a conflict with the state.
REFUSAL_STATUS = {
    RefusalCode.FORBIDDEN_ROLE.value: status.HTTP_403_FORBIDDEN,
    RefusalCode.MISSING_REFERENCE.value: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


async def send_update(client: Client, workflow_id: str, update: str, argument: Any, result_type: type[T], ended: str) -> T:
    """Execute a validated update; a refusal becomes 403/409/422 with its reason, an ended workflow 409 with `ended`."""
    try:
        return await client.get_workflow_handle(workflow_id).execute_update(update, argument, result_type=result_type)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError):
            raise HTTPException(REFUSAL_STATUS.get(cause.type or "", status.HTTP_409_CONFLICT), cause.message) from error
        raise
    except RPCError as error:
        # The workflow has ended: nothing can change it any more.
        raise HTTPException(status.HTTP_409_CONFLICT, ended) from error
