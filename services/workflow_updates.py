"""Staff actions sent to workflows as Temporal updates, with the policy's refusals as service errors."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from domain.policy.checks import RefusalCode
from services.errors import Conflict, Forbidden, InvalidInput, ServiceError

# Refusal codes the workflows raise in update validators; anything else is a conflict with the state.
REFUSAL_ERROR: dict[str, type[ServiceError]] = {
    RefusalCode.FORBIDDEN_ROLE.value: Forbidden,
    RefusalCode.MISSING_REFERENCE.value: InvalidInput,
}


async def send_update(client: Client, workflow_id: str, update: Any, argument: Any, ended: str) -> Any:
    """Execute a validated update (a workflow method); a refusal becomes Forbidden/Conflict/InvalidInput with its reason, an ended workflow Conflict with `ended`."""
    try:
        return await client.get_workflow_handle(workflow_id).execute_update(update, argument)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError):
            raise REFUSAL_ERROR.get(cause.type or "", Conflict)(cause.message, code=cause.type) from error
        raise
    except RPCError as error:
        # The workflow has ended: nothing can change it any more.
        raise Conflict(ended) from error
