"""Signed workflow calls: a signature holds for exactly one call, with one key, until it expires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio import workflow

from domain.actor_signature import signature_refusal, signed_call
from worker.build import WORKFLOWS

KEY = b"k" * 32
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CALL: dict[str, Any] = {
    "action": "approve",
    "workflow_id": "refund-rf-1",
    "call_id": "upd-1",
    "arguments": [b'{"actor":"a"}'],
}


def _signature(**changes):
    """A signature of CALL (or of CALL with `changes`) valid for a minute after NOW."""
    return signed_call(KEY, **(CALL | changes), expires_at=int(NOW.timestamp()) + 60)


def test_the_signed_call_passes() -> None:
    assert signature_refusal(KEY, _signature(), **CALL, now=NOW) is None


@pytest.mark.parametrize(
    "changed",
    [
        {"action": "reject"},
        {"workflow_id": "refund-rf-2"},
        {"call_id": "upd-2"},
        {"arguments": [b'{"actor":"b"}']},
        {"arguments": [b'{"actor":"a"}', b""]},
    ],
)
def test_a_signature_does_not_carry_over_to_another_call(changed: dict) -> None:
    refusal = signature_refusal(KEY, _signature(), **(CALL | changed), now=NOW)
    assert refusal is not None and "signature made for another call" in refusal


def test_another_key_an_expiry_or_no_signature_is_refused() -> None:
    assert "another call" in (signature_refusal(b"o" * 32, _signature(), **CALL, now=NOW) or "")
    later = datetime.fromtimestamp(NOW.timestamp() + 61, UTC)
    assert "expired" in (signature_refusal(KEY, _signature(), **CALL, now=later) or "")
    assert "was not signed" in (signature_refusal(KEY, None, **CALL, now=NOW) or "")


def test_every_update_has_a_validator_so_its_signature_is_checked() -> None:
    # The worker checks signatures in handle_update_validator, which Temporal calls only for updates with one.
    for workflow_class in WORKFLOWS:
        updates = workflow._Definition.must_from_class(workflow_class).updates
        assert updates, workflow_class
        missing = [name for name, update in updates.items() if update.validator is None]
        assert not missing, f"{workflow_class.__name__}: updates without a validator: {missing}"
