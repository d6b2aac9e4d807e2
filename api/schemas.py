"""Request and response bodies of the API (tables never leave the store)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from domain.money import AmountMinor, Currency
from domain.orders import CustomerEventKind, OrderStatus, PlanMonths
from domain.text import PlainText

# Its pattern admits no control character, so it needs no PlainText (whose documented pattern would hide this one).
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Letters, digits, '_', '.' or '-', at most 64 characters.",
    ),
]

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would read '0' or '20261203' as seconds since 1970 and answer for the wrong dates."""
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError(f"'{value}' is not a date; give it as YYYY-MM-DD, e.g. 2026-03-01")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class OrderCreate(BaseModel):
    """An order as the shop registers it after payment."""

    model_config = ConfigDict(extra="forbid")

    order_id: Identifier
    customer_id: Identifier
    customer_email: EmailStr = Field(max_length=254)
    # The enum tells clients the plans; the validator below keeps the sentence a support agent reads.
    plan_months: int = Field(
        description="Subscription length: 1, 3, 6 or 12 months.",
        json_schema_extra={"enum": [plan.value for plan in sorted(PlanMonths)]},
    )
    amount_minor: AmountMinor = Field(description="Amount paid, in minor units (cents).")
    currency: Currency
    payment_intent_id: PlainText = Field(
        pattern=r"^pi_[A-Za-z0-9_]+$", max_length=255, description="The Stripe payment of this order, and of no other."
    )
    stripe_customer_id: str | None = Field(
        default=None,
        pattern=r"^cus_[A-Za-z0-9]+$",
        max_length=255,
        description="The Stripe customer who paid; when given, the payment must be theirs.",
    )
    paid_at: AwareDatetime
    activated_at: AwareDatetime | None = None
    locale: Literal["en", "fr"] = "en"

    @field_validator("plan_months")
    @classmethod
    def _known_plan(cls, months: int) -> int:
        """Only the plans the shop sells."""
        if months not in {plan.value for plan in PlanMonths}:
            raise ValueError("the shop sells 1, 3, 6 or 12-month plans only")
        return months

    @model_validator(mode="after")
    def _activation_after_payment(self) -> OrderCreate:
        """Activation details are sent after payment, never before."""
        if self.activated_at is not None and self.activated_at < self.paid_at:
            raise ValueError("activated_at cannot be earlier than paid_at")
        return self


class ActivationRecord(BaseModel):
    """When the activation details were created and sent (default: now)."""

    model_config = ConfigDict(extra="forbid")

    activated_at: AwareDatetime | None = None


class OrderPublic(BaseModel):
    """An order with its status."""

    model_config = ConfigDict(from_attributes=True)

    order_id: str
    customer_id: str
    customer_email: str
    plan_months: int
    amount_minor: int
    currency: str
    payment_intent_id: str
    stripe_customer_id: str | None
    paid_at: datetime
    activated_at: datetime | None
    locale: str
    status: OrderStatus
    status_reason: str | None
    registered_by_id: str | None = Field(description="Staff id of whoever registered it (the shop's integration).")
    registered_by_name: str | None
    activated_by_id: str | None = Field(description="Staff id of whoever recorded the activation.")
    activated_by_name: str | None
    created_at: datetime


class CustomerEventPublic(BaseModel):
    """One entry of a customer's audit trail: who did what, when and why."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: CustomerEventKind
    order_id: str | None
    actor_id: str
    actor_name: str
    note: str | None
    detail: dict


class CustomerPublic(BaseModel):
    """A customer, whether new orders are restricted (and why it was last set), their orders and their trail."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    email: str
    restricted: bool
    restricted_reason: str | None
    restricted_at: datetime | None
    orders: list[OrderPublic] = []
    events: list[CustomerEventPublic] = Field(
        [],
        description="Orders registered and activated, emails that differed, restrictions set and lifted; oldest first.",
    )


class ComponentHealth(BaseModel):
    """One dependency's reachability."""

    ok: bool
    detail: str


class Health(BaseModel):
    """Reachability of Temporal, the database and Stripe."""

    status: Literal["ok", "degraded"]
    temporal: ComponentHealth
    database: ComponentHealth
    stripe: ComponentHealth
