"""The /v1 route table: method + path template -> resource handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stripe_emulator.resources import (
    balance_transactions,
    charges,
    customers,
    disputes,
    early_fraud_warnings,
    events_api,
    payment_intents,
    payment_methods,
    refunds,
    webhook_endpoints,
)

Handler = Callable[..., dict[str, Any]]
_MODULES = (
    customers,
    payment_methods,
    payment_intents,
    charges,
    refunds,
    disputes,
    early_fraud_warnings,
    events_api,
    webhook_endpoints,
    balance_transactions,
)


def _compile(template: str) -> re.Pattern[str]:
    """`/v1/refunds/{refund_id}` -> a regex with a named group per placeholder."""
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{pattern}/?$")


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, _compile(path), handler) for module in _MODULES for method, path, handler in module.ROUTES
]


def match(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler and path parameters for a request, or None."""
    for route_method, pattern, handler in ROUTES:
        if route_method == method:
            found = pattern.match(path)
            if found:
                return handler, found.groupdict()
    return None
