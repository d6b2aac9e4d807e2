"""The worker runs only workflow starts and updates the API signed; anything else is refused before it acts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

with workflow.unsafe.imports_passed_through():
    from domain.actor_signature import SIGNATURE_HEADER, UNSIGNED_CALL, CallSignature, signature_refusal


class SignedCallsOnly(Interceptor):
    """Checks the API's HMAC (domain.actor_signature) on every workflow start and every update's validation."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        """An inbound interceptor holding the key (the class is built here: the sandbox instantiates it)."""
        key = self._key

        class _SignedInbound(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                # The server's start time, not the first task's: a worker that was down must not void good starts.
                info = workflow.info()
                _refuse_unless_signed(key, input.headers, info.workflow_type, "", input.args, info.start_time)
                return await super().execute_workflow(input)

            def handle_update_validator(self, input: HandleUpdateInput) -> None:
                # The wall clock, not workflow.now() (a workflow's time may be skipped ahead, in tests or after a
                # long wait): safe, as validators never run on replay and a refused update leaves no history.
                with workflow.unsafe.sandbox_unrestricted():
                    now = datetime.now(UTC)
                _refuse_unless_signed(key, input.headers, input.update, input.id, input.args, now)
                super().handle_update_validator(input)

        return _SignedInbound


def _refuse_unless_signed(
    key: bytes, headers: Mapping[str, Payload], action: str, call_id: str, args: Sequence[Any], now: datetime
) -> None:
    """Raise a non-retryable error unless the headers hold our signature of exactly this call."""
    converter = workflow.payload_converter()
    signature = _signature(converter, headers.get(SIGNATURE_HEADER))
    refusal = signature_refusal(
        key,
        signature,
        action=action,
        workflow_id=workflow.info().workflow_id,
        call_id=call_id,
        arguments=[payload.data for payload in converter.to_payloads(args)],
        now=now,
    )
    if refusal is not None:
        workflow.logger.warning("unsigned call refused", extra={"action": action, "refusal": refusal})
        raise ApplicationError(refusal, type=UNSIGNED_CALL, non_retryable=True)


def _signature(converter: Any, header: Payload | None) -> CallSignature | None:
    """The signature in the header; None when absent or unreadable (a start must fail cleanly, not retry forever)."""
    if header is None:
        return None
    try:
        signature: CallSignature = converter.from_payload(header, CallSignature)
    except Exception:  # any unreadable header is simply not our signature
        return None
    return signature
