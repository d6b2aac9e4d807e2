"""Dispute evidence as Stripe accepts it: known fields, text within its limits, file fields naming existing files."""

from __future__ import annotations

from typing import Any

from stripe_emulator.errors import invalid, no_such, unknown_parameter
from stripe_emulator.fixtures import template

FIELDS = tuple(k for k in template("dispute", "evidence") if k != "enhanced_evidence")
# Fields holding the ID of a file upload (`file_...`); the emulator has no files API, so no such file exists.
FILE_FIELDS = frozenset(
    {
        "cancellation_policy",
        "customer_communication",
        "customer_signature",
        "duplicate_charge_documentation",
        "receipt",
        "refund_policy",
        "service_documentation",
        "shipping_documentation",
        "uncategorized_file",
    }
)
# Free-text fields limited to 20,000 characters (the spec's request maxLength); the other text fields take 5,000.
LONG_TEXT_FIELDS = frozenset(
    {
        "access_activity_log",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "duplicate_charge_explanation",
        "product_description",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "uncategorized_text",
    }
)
LONG_TEXT_LIMIT, TEXT_LIMIT, COMBINED_LIMIT = 20_000, 5_000, 150_000


def _text(name: str, value: Any) -> str | None:
    """One field's new value (an empty string unsets it), within its length limit."""
    if isinstance(value, (dict, list)):
        raise invalid(f"Invalid string: evidence[{name}] must be a string.", param=f"evidence[{name}]")
    text = str(value)
    limit = LONG_TEXT_LIMIT if name in LONG_TEXT_FIELDS else TEXT_LIMIT
    if len(text) > limit:
        raise invalid(f"Invalid string: {text[:20]}...; must be at most {limit} characters", param=f"evidence[{name}]")
    return text or None


def merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The evidence after `changes`, or the 400 Stripe answers (unknown field, too long, no such file)."""
    updates: dict[str, str | None] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            raise unknown_parameter(f"evidence[{name}]")
        text = updates[name] = _text(name, value)
        if name in FILE_FIELDS and text:
            raise no_such("file upload", text, param=f"evidence[{name}]", status=400)
    evidence = {**current, **updates}
    combined = sum(len(evidence[k] or "") for k in FIELDS if k not in FILE_FIELDS)
    if combined > COMBINED_LIMIT:
        raise invalid(
            "The combined character count of all evidence fields is limited to 150,000; "
            f"this evidence has {combined:,}.",
            param="evidence",
        )
    return evidence
