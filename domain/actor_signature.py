"""Signed workflow calls: the API proves who sent a start or an update with an HMAC the worker checks."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

# The Temporal header carrying the signature of a workflow start or update.
SIGNATURE_HEADER = "refund-service-signature"
# The error type a worker answers for a call the API did not sign; no workflow state changes.
UNSIGNED_CALL = "unsigned_call"


class CallSignature(BaseModel):
    """An HMAC over what a call does and to which workflow, valid until `expires_at` (Unix seconds)."""

    model_config = ConfigDict(frozen=True)

    expires_at: int
    mac: str


def signed_call(
    key: bytes, *, action: str, workflow_id: str, call_id: str, arguments: Sequence[bytes], expires_at: int
) -> CallSignature:
    """Sign a call: its action (workflow type or update name), workflow, update id, serialized arguments, expiry."""
    return CallSignature(expires_at=expires_at, mac=_mac(key, action, workflow_id, call_id, arguments, expires_at))


def signature_refusal(
    key: bytes,
    signature: CallSignature | None,
    *,
    action: str,
    workflow_id: str,
    call_id: str,
    arguments: Sequence[bytes],
    now: datetime,
) -> str | None:
    """Why this call must be refused (unsigned, expired, or signed for something else), or None when it is ours."""
    if signature is None:
        return f"'{action}' on {workflow_id} was not signed by the refund service's API; nothing was changed."
    if now.timestamp() > signature.expires_at:
        return f"The signature of '{action}' on {workflow_id} has expired; nothing was changed."
    expected = _mac(key, action, workflow_id, call_id, arguments, signature.expires_at)
    if not hmac.compare_digest(expected, signature.mac):
        return f"'{action}' on {workflow_id} carries a signature made for another call; nothing was changed."
    return None


def _mac(key: bytes, action: str, workflow_id: str, call_id: str, arguments: Sequence[bytes], expires_at: int) -> str:
    """HMAC-SHA256 over each part, length-prefixed so no two different calls share a message."""
    digest = hmac.new(key, digestmod=hashlib.sha256)
    for part in (action.encode(), workflow_id.encode(), call_id.encode(), *arguments, str(expires_at).encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
