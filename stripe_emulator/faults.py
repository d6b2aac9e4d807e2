"""Fault injection: make the next N matching /v1 requests fail, slow down or lose their connection."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from stripe_emulator.errors import StripeError
from stripe_emulator.ids import random_token

_DEFAULT_MESSAGES = {
    402: ("card_error", "card_declined", "Your card was declined."),
    409: (
        "invalid_request_error",
        "lock_timeout",
        "This object cannot be accessed right now because another API request or Stripe process is currently "
        "accessing it.",
    ),
    429: ("invalid_request_error", "rate_limit", "Request rate limit exceeded."),
}


@dataclass
class Fault:
    """One rule; `count` None means every matching request."""

    method: str = "*"
    path: str = "/v1/"
    path_regex: bool = False
    count: int | None = 1
    when: str = "before"
    status: int | None = None
    latency_ms: int = 0
    drop_connection: bool = False
    error: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    should_retry: bool | None = None
    idempotent_replay: bool = False
    id: str = field(default_factory=lambda: f"flt_{random_token(12)}")
    hits: int = 0

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        if self.when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'.")
        if self.status is not None and not 400 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP error status (400-599).")
        if self.status is None and not self.drop_connection and not self.latency_ms:
            raise ValueError("A fault needs a status, drop_connection or latency_ms.")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or null for every request).")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative.")
        if self.path_regex:
            re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request."""
        if self.method not in ("*", method):
            return False
        return bool(re.search(self.path, path)) if self.path_regex else path.startswith(self.path)

    def stripe_error(self) -> StripeError:
        """The error answered instead of (before) or after the real result."""
        status = int(self.status or 500)
        kind, code, message = _DEFAULT_MESSAGES.get(
            status,
            ("api_error", None, "An unknown error occurred (injected by the Stripe emulator)."),
        )
        if 400 <= status < 500 and status not in _DEFAULT_MESSAGES:
            kind = "invalid_request_error"
        custom = self.error or {}
        headers = dict(self.headers)
        if self.should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
        extra = {k: v for k, v in custom.items() if k not in ("type", "code", "message", "param")}
        return StripeError(
            status,
            custom.get("message", message),
            type=custom.get("type", kind),
            code=custom.get("code", code),
            param=custom.get("param"),
            extra=extra,
            headers=headers,
            saved=self.idempotent_replay,
        )


class FaultInjector:
    """Rules in creation order; the first that matches a request is consumed by it."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(self, spec: dict[str, Any]) -> Fault:
        """Add a rule from its JSON form (raises ValueError/TypeError on bad input)."""
        spec = {k: v for k, v in spec.items() if k not in ("id", "hits")}
        fault = Fault(**spec)
        self.rules.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The rule that applies to this request, counting the use."""
        for fault in self.rules:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self.rules.remove(fault)
                return fault
        return None

    def remove(self, fault_id: str) -> bool:
        """Delete one rule."""
        before = len(self.rules)
        self.rules = [f for f in self.rules if f.id != fault_id]
        return len(self.rules) < before

    def clear(self) -> None:
        """Delete every rule."""
        self.rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        """The rules as JSON."""
        return [asdict(f) for f in self.rules]
