"""Runtime settings of the emulator: set by CLI flags at start, changed by `POST /_emulator/config`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# The API version stamped on events (Stripe uses the account's default version).
DEFAULT_API_VERSION = "2026-10-28.endive"

REFUND_MODES = ("succeeded", "pending", "requires_action")


def _setting(default: Any, help_text: str, *, minimum: float | None = 0) -> Any:
    """A field with its CLI help and lower bound."""
    return field(default=default, metadata={"help": help_text, "minimum": minimum})


@dataclass
class EmulatorSettings:
    """Every behaviour knob; times are seconds."""

    rate_limit: int = _setting(25, "Requests per second per kind (reads, writes); 0 turns the limit off.")
    idempotency_ttl: float = _setting(86400.0, "Seconds an idempotency key is kept (Stripe: 24 h).")
    refund_mode: str = _setting(
        "succeeded", "Status of new refunds: succeeded, pending (succeeds later) or requires_action.", minimum=None
    )
    refund_pending_delay: float = _setting(2.0, "Seconds before a pending refund succeeds.")
    refund_failure_delay: float = _setting(2.0, "Seconds before a refund of pm_card_refundFail fails.")
    dispute_delay: float = _setting(1.0, "Seconds after a pm_card_createDispute payment before its dispute opens.")
    dispute_decision_delay: float = _setting(1.0, "Seconds after evidence is submitted before the dispute closes.")
    webhook_retry_base: float = _setting(2.0, "First webhook retry delay; doubles on each further attempt.")
    webhook_max_attempts: int = _setting(8, "Delivery attempts per event and endpoint before giving up.", minimum=1)
    webhook_timeout: float = _setting(10.0, "Seconds to wait for a webhook endpoint to answer.")
    api_version: str = _setting(DEFAULT_API_VERSION, "API version stamped on events.", minimum=None)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply validated changes; raise ValueError naming the first bad one."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        coerced: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in fields:
                raise ValueError(f"Unknown setting {name!r}; known: {', '.join(sorted(fields))}.")
            coerced[name] = _coerce(fields[name], value)
        if coerced.get("refund_mode", self.refund_mode) not in REFUND_MODES:
            raise ValueError(f"refund_mode must be one of {', '.join(REFUND_MODES)}.")
        for name, value in coerced.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data."""
        return dataclasses.asdict(self)


def _coerce(spec: dataclasses.Field, value: Any) -> Any:
    """Convert a value to the field's type and check its lower bound."""
    kind: Any = type(spec.default)
    try:
        converted = kind(value) if not isinstance(value, bool) or kind is bool else None
    except (TypeError, ValueError):
        converted = None
    if converted is None:
        raise ValueError(f"{spec.name} must be a {kind.__name__}, got {value!r}.")
    minimum = spec.metadata.get("minimum")
    if minimum is not None and converted < minimum:
        raise ValueError(f"{spec.name} must be at least {minimum}, got {value!r}.")
    return converted


def setting_fields() -> list[dataclasses.Field]:
    """The settings, for generating CLI flags."""
    return list(dataclasses.fields(EmulatorSettings))
