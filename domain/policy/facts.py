"""Plain facts the policy decides on; the caller gathers them (store, Stripe), the policy only reads."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from domain.money import Currency, MinorUnits
from domain.orders import PlanMonths
from domain.refunds import RefundReason


def _blank_to_none(value: str | None) -> str | None:
    """Treat an empty or whitespace legal basis as absent."""
    if value is None or not value.strip():
        return None
    return value.strip()


class OrderFacts(BaseModel):
    """The order a refund is about, with what is already refunded on it."""

    model_config = ConfigDict(frozen=True)

    order_id: Annotated[str, Field(min_length=1)]
    customer_id: Annotated[str, Field(min_length=1)]
    plan_months: PlanMonths
    amount_minor: Annotated[int, Field(gt=0)]
    currency: Currency
    paid_at: AwareDatetime
    # When the activation details were created and sent; None while they have not been.
    activated_at: AwareDatetime | None = None
    # "Refunded so far": this order's other refunds in domain.refunds.REFUNDED_SO_FAR.
    already_refunded_minor: MinorUnits = 0
    # The order's own Stripe payment, so it is never mistaken for its own duplicate.
    payment_intent_id: str | None = None
    # This order's earlier refund requests that were rejected: a new request on it is shown to the approver as such.
    earlier_rejected_refund_ids: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _refunded_within_paid(self) -> OrderFacts:
        """The already-refunded sum can never exceed what was paid."""
        if self.already_refunded_minor > self.amount_minor:
            raise ValueError("already_refunded_minor exceeds the order amount")
        return self

    @property
    def remaining_minor(self) -> int:
        """ "Refundable now": what was paid minus what is refunded so far."""
        return self.amount_minor - self.already_refunded_minor

    def fully_refunded_by(self, amount_minor: int) -> bool:
        """Whether a refund of `amount_minor` returns everything left on the order (a full refund ends access)."""
        return amount_minor >= self.remaining_minor


class OtherPayment(BaseModel):
    """Another payment by the same customer (the caller filters by customer), for the duplicate check."""

    model_config = ConfigDict(frozen=True)

    order_id: Annotated[str, Field(min_length=1)]
    payment_intent_id: Annotated[str, Field(min_length=1)]
    amount_minor: Annotated[int, Field(gt=0)]
    currency: Currency
    paid_at: AwareDatetime
    succeeded: bool
    # "Refunded so far" on this payment (domain.refunds.REFUNDED_SO_FAR, open refunds included): a payment
    # refunded already, or being refunded, cannot be the "kept" copy of a duplicate, or both could be refunded.
    refunded_minor: MinorUnits = 0


class RefundRequestFacts(BaseModel):
    """What the support agent asked for, on the customer's behalf."""

    model_config = ConfigDict(frozen=True)

    reason: RefundReason
    # None means "the full remaining amount"; validated by validate_amount, not here, for a clear message.
    amount_minor: int | None = None
    # Optional; when given it must be the order's currency (refunds go to the original payment method).
    currency: Currency | None = None
    # When the customer contacted us, as the agent gives it (default: the request's own time).
    customer_contacted_at: AwareDatetime
    # The earliest time the service itself recorded this customer reaching us since the order was paid (a recorded
    # contact's recorded_at, an earlier request's own time, or this request's); None in requests made before it was
    # kept.
    first_recorded_contact_at: AwareDatetime | None = None
    legal_basis: Annotated[str | None, AfterValidator(_blank_to_none)] = None
    requested_by: Annotated[str, Field(min_length=1)]
