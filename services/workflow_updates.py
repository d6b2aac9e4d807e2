"""Staff actions sent to workflows as Temporal updates, with the policy's refusals as service errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.policy.checks import RefusalCode
from services.errors import Conflict, Forbidden, InvalidInput, ServiceError
from services.temporal_errors import WorkflowEnded, ask_temporal

# Longer than the client's own ~10 s of reconnecting, so an unreachable Temporal is told apart from one that took
# the action but did not confirm it (that answer may still come: the agent must look before trying again).
STAFF_ACTION_TIMEOUT = timedelta(seconds=30)
# Refusal codes the workflows raise in update validators; anything else is a conflict with the state.
REFUSAL_ERROR: dict[str, type[ServiceError]] = {
    RefusalCode.FORBIDDEN_ROLE.value: Forbidden,
    RefusalCode.MISSING_REFERENCE.value: InvalidInput,
}


async def send_update(client: Client, workflow_id: str, update: Any, argument: Any, ended: str) -> Any:
    """Run a validated update (a workflow method); a refusal becomes Forbidden/Conflict/InvalidInput with its reason.

    An ended workflow is a Conflict with `ended`; Temporal not answering raises WorkflowServiceUnavailable (503, try
    again), never "can no longer change".
    """
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await ask_temporal(handle.execute_update(update, argument), STAFF_ACTION_TIMEOUT)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError):
            raise REFUSAL_ERROR.get(cause.type or "", Conflict)(cause.message, code=cause.type) from error
        raise
    except WorkflowEnded as error:
        raise Conflict(ended) from error
