"""Idempotent requests as Stripe documents them: per-API-key keys, replayed results, parameter checks, expiry."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from stripe_emulator.errors import StripeError
from stripe_emulator.state import State

MAX_KEY_LENGTH = 255


def scope_key(api_key: str, key: str) -> str:
    """Keys are scoped per API key (hashed: the state file never holds API keys)."""
    return f"{hashlib.sha256(api_key.encode()).hexdigest()[:16]}:{key}"


def idempotency_error(message: str) -> StripeError:
    """A 400 `idempotency_error`; never itself saved."""
    return StripeError(400, message, type="idempotency_error", saved=False)


def check_key(key: str) -> None:
    """Reject keys Stripe would reject."""
    if len(key) > MAX_KEY_LENGTH:
        raise idempotency_error(f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long.")


def lookup(state: State, scope: str, ttl: float) -> dict[str, Any] | None:
    """The live record for a key; expired records are pruned (a reused key then runs as a new request)."""
    record = state.idempotency.get(scope)
    if record is not None and record["status"] is not None and time.time() - record["created"] >= ttl:
        del state.idempotency[scope]
        state.mark("idempotency", scope)
        return None
    return record


def compare(record: dict[str, Any], key: str, method: str, path: str, fingerprint: str) -> None:
    """Raise unless the request repeats the one first made with the key."""
    if record["status"] is None:
        raise StripeError(
            409,
            f"There is currently another in-progress request using this Idempotent Key (that probably means you "
            f"submitted twice, and the other request is still going through): {key}. Please try again later.",
            type="idempotency_error",
            code="idempotency_key_in_use",
            headers={"Stripe-Should-Retry": "true"},
            saved=False,
        )
    if (record["method"], record["path"]) != (method, path):
        raise idempotency_error(
            f"Keys for idempotent requests can only be used for the same endpoint they were first used for "
            f"('{record['method']} {record['path']}' vs '{method} {path}'). Try using a key other than '{key}' if you "
            "meant to execute a different request."
        )
    if record["fingerprint"] != fingerprint:
        raise idempotency_error(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. "
            f"Try using a key other than '{key}' if you meant to execute a different request."
        )


def begin(state: State, scope: str, method: str, path: str, fingerprint: str, request_id: str) -> dict[str, Any]:
    """Mark the key as in flight (not persisted) until the result is saved."""
    record = {
        "method": method,
        "path": path,
        "fingerprint": fingerprint,
        "request_id": request_id,
        "created": time.time(),
        "status": None,
        "body": None,
        "headers": {},
    }
    state.idempotency[scope] = record
    state.mark("idempotency", scope)
    return record


def save(state: State, scope: str, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    """Keep the response for replay."""
    state.idempotency[scope].update(status=status, body=body, headers=headers)
    state.mark("idempotency", scope)


def forget(state: State, scope: str) -> None:
    """Drop a key's record (its request was not saved, or never finished)."""
    state.idempotency.pop(scope, None)
    state.mark("idempotency", scope)


def expire_all(state: State, key: str | None = None) -> int:
    """Drop finished records (all, or those of one idempotency key); returns how many."""
    doomed = [
        s
        for s, r in state.idempotency.items()
        if r["status"] is not None and (key is None or s.split(":", 1)[1] == key)
    ]
    for scope in doomed:
        forget(state, scope)
    return len(doomed)
