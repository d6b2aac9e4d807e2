"""The API's Temporal client signs every workflow start and update, so a worker can tell ours from a forgery."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)
from temporalio.converter import PayloadConverter

from domain.actor_signature import SIGNATURE_HEADER, signed_call


class CallSigner(Interceptor):
    """Adds an HMAC header (domain.actor_signature) to each start and update this client sends."""

    def __init__(self, key: bytes, validity: timedelta, converter: PayloadConverter) -> None:
        self.key = key
        self.validity = validity
        self.converter = converter

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        """Wrap the client's outbound calls."""
        return _SigningOutbound(next, self)


class _SigningOutbound(OutboundInterceptor):
    """Signs starts and updates with the client's own payload converter, as the worker will re-serialize them."""

    def __init__(self, next: OutboundInterceptor, signer: CallSigner) -> None:
        super().__init__(next)
        self._signer = signer

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        """Sign the workflow type, id and input."""
        input.headers = self._signed(input.headers, input.workflow, input.id, "", input.args)
        return await super().start_workflow(input)

    async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> WorkflowUpdateHandle[Any]:
        """Sign the update name, workflow id, update id and argument (the update id is fixed here to be signed)."""
        input.update_id = input.update_id or str(uuid.uuid4())
        input.headers = self._signed(input.headers, input.update, input.id, input.update_id, input.args)
        return await super().start_workflow_update(input)

    def _signed(
        self, headers: Any, action: str, workflow_id: str, call_id: str, args: Sequence[Any]
    ) -> dict[str, Payload]:
        """The headers with our signature added."""
        signer = self._signer
        signature = signed_call(
            signer.key,
            action=action,
            workflow_id=workflow_id,
            call_id=call_id,
            arguments=[payload.data for payload in signer.converter.to_payloads(args)],
            expires_at=int(time.time() + signer.validity.total_seconds()),
        )
        return {**headers, SIGNATURE_HEADER: signer.converter.to_payloads([signature])[0]}


def signing(client: Client, key: bytes, validity: timedelta) -> Client:
    """The same connection, with calls signed (the API wraps whichever client it was given, tests' included)."""
    config = client.config()
    signer = CallSigner(key, validity, client.data_converter.payload_converter)
    config["interceptors"] = [*config["interceptors"], signer]
    return Client(**config)
