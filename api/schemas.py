"""Request and response bodies of the API (tables never leave the store)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from domain.money import AmountMinor, Currency
from domain.orders import OrderStatus, PlanMonths
from domain.text import PlainText

Identifier = Annotated[
    PlainText,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Letters, digits, '_', '.' or '-', at most 64 characters.",
    ),
]


class OrderCreate(BaseModel):
    """An order as the shop registers it after payment."""

    model_config = ConfigDict(extra="forbid")

    order_id: Identifier
    customer_id: Identifier
    customer_email: EmailStr = Field(max_length=254)
    plan_months: int = Field(description="Subscription length: 1, 3, 6 or 12 months.")
    amount_minor: AmountMinor = Field(description="Amount paid, in minor units (cents).")
    currency: Currency
    payment_intent_id: PlainText = Field(pattern=r"^pi_[A-Za-z0-9_]+$", max_length=255)
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
    paid_at: datetime
    activated_at: datetime | None
    locale: str
    status: OrderStatus
    status_reason: str | None
    created_at: datetime


class CustomerPublic(BaseModel):
    """A customer, whether new orders are restricted, and their orders."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    email: str
    restricted: bool
    restricted_reason: str | None
    restricted_at: datetime | None
    orders: list[OrderPublic] = []


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
