"""Stripe's webhook payloads as we read them: the event envelope and the refund and dispute objects it carries.

Each model names only the fields we use, typed as Stripe documents them, so a signed payload that does not fit is
caught here with a list of what is wrong instead of a KeyError deep in a handler (which answered 500 and made Stripe
retry the same unreadable event for days).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, ValidationError

from domain.dispute_messages import StripeDisputeSnapshot
from domain.disputes import DisputeStatus
from services.errors import InvalidInput

# Sized to the stripe_events columns the ids and the type are recorded in.
StripeId = Annotated[str, StringConstraints(min_length=1, max_length=255)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
Amount = Annotated[StrictInt, Field(ge=0)]
# Unix seconds up to 9999-12-31: beyond, datetime cannot hold them.
Timestamp = Annotated[StrictInt, Field(ge=0, le=253_402_300_799)]


class _StripeModel(BaseModel):
    """Stripe adds fields over time: the ones we do not use are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EventData(_StripeModel):
    """`data` of an event: the object it is about."""

    object: dict[str, Any]


class StripeEventEnvelope(_StripeModel):
    """A Stripe event as signed: what it is, when, and about which object (read further per type)."""

    id: StripeId
    type: EventType
    created: Timestamp
    data: EventData

    @property
    def object_id(self) -> str | None:
        """The id of the object it is about, when it is one we can record."""
        object_id = self.data.object.get("id")
        return object_id if isinstance(object_id, str) and 0 < len(object_id) <= 255 else None


class StripeRefundObject(_StripeModel):
    """The fields of a Stripe refund that we use."""

    id: StripeId
    amount: Amount
    currency: Currency
    status: str | None = None
    failure_reason: str | None = None
    metadata: dict[str, str] | None = None

    @property
    def refund_id(self) -> str | None:
        """Our refund id, which we put in the metadata of every refund we create."""
        return (self.metadata or {}).get("refund_id") or None


class EvidenceDetails(_StripeModel):
    """When evidence is due."""

    due_by: Timestamp | None = None


class StripeDisputeObject(_StripeModel):
    """The fields of a Stripe dispute that we use (a dispute on a charge made without a payment intent has none)."""

    id: StripeId
    charge: StripeId
    payment_intent: StripeId | None = None
    amount: Amount
    currency: Currency
    reason: str | None = None
    status: DisputeStatus
    evidence_details: EvidenceDetails | None = None
    created: Timestamp

    def snapshot(self) -> StripeDisputeSnapshot:
        """Our view of the dispute."""
        due_by = self.evidence_details.due_by if self.evidence_details else None
        return StripeDisputeSnapshot(
            dispute_id=self.id,
            charge_id=self.charge,
            payment_intent_id=self.payment_intent,
            amount_minor=self.amount,
            currency=self.currency,
            reason=self.reason or "general",
            status=self.status,
            due_by=datetime.fromtimestamp(due_by, UTC) if due_by else None,
            opened_at=datetime.fromtimestamp(self.created, UTC),
        )


def what_is_wrong(error: ValidationError, most: int = 3) -> str:
    """'data.object.amount: Input should be a valid integer; ...' for a log line or a sentence."""
    lines = [
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" if item["loc"] else item["msg"]
        for item in error.errors(include_url=False)[:most]
    ]
    return "; ".join(lines)[:500]


def parse_event(payload: bytes) -> StripeEventEnvelope:
    """The signed payload as an event, or InvalidInput (422) saying what is wrong with it."""
    try:
        return StripeEventEnvelope.model_validate_json(payload)
    except ValidationError as error:
        raise InvalidInput(
            f"The payload is signed with our secret but is not a Stripe event we can read ({what_is_wrong(error)}); "
            f"it was not recorded.",
            code="unreadable_event",
        ) from error
