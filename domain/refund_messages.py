"""What crosses the refund workflow's boundary: its input, state, updates, signals and activity I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.orders import OrderStatus
from domain.policy.assessment import PolicyAssessment
from domain.policy.facts import OrderFacts, OtherPayment, RefundRequestFacts
from domain.policy.parameters import PolicyParameters
from domain.policy.settlement import SettlementWindow
from domain.refunds import FailureAction, InvestigationFinding, RefundStatus, TroubleshootingOutcome
from domain.roles import Actor, Role, SystemRole


def refund_workflow_id(refund_id: str) -> str:
    """The refund workflow's id, derived from the business key."""
    return f"refund-{refund_id}"


class RefundRuntime(BaseModel):
    """Operational parameters fixed at start, so a running refund never reads settings."""

    model_config = ConfigDict(frozen=True)

    stripe_task_queue: str = "refunds-stripe"
    stripe_call_timeout: timedelta = timedelta(seconds=30)
    # Stripe forgets idempotency keys after 24 h; we look refunds up by metadata before that matters.
    stripe_retry_window: timedelta = timedelta(hours=24)
    # How long to wait for a webhook before asking Stripe ourselves about a pending refund.
    status_poll_interval: timedelta = timedelta(minutes=30)


class RefundInput(BaseModel):
    """Everything a refund needs, snapshot when support asked for it."""

    refund_id: str
    order: OrderFacts
    request: RefundRequestFacts
    requester: Actor
    note: str | None = None
    other_payments: list[OtherPayment] = []
    customer_email: str
    locale: str = "en"
    params: PolicyParameters = PolicyParameters()
    runtime: RefundRuntime = RefundRuntime()


class TimelineEntry(BaseModel):
    """One step in a refund's life, as the audit trail shows it."""

    seq: int
    at: AwareDatetime
    kind: str
    status: RefundStatus
    actor: Actor
    note: str | None = None
    detail: dict[str, str | int | bool | None] = {}


class ApprovalGiven(BaseModel):
    """A human (or the system) approving the refund, and the role it counted as."""

    actor: Actor
    acting_as: Role | SystemRole
    at: AwareDatetime
    note: str | None = None


class Notification(StrEnum):
    """Customer emails the refund sends; the read-model activity writes them to the outbox."""

    RECEIVED = "refund_received"
    APPROVED = "refund_approved"
    REJECTED = "refund_rejected"
    ISSUED = "refund_issued"
    FAILED = "refund_failed"
    EXPIRED = "refund_expired"
    CANCELLED = "refund_cancelled"
    PAID_BY_HAND = "refund_paid_by_hand"  # Stripe could not pay it; finance paid the customer another way


class RefundState(BaseModel):
    """The refund as the workflow knows it; what the state query and every update answer."""

    refund_id: str
    workflow_id: str
    order_id: str
    customer_id: str
    reason: str
    status: RefundStatus
    amount_minor: int
    currency: str
    requested_by: Actor
    requested_at: AwareDatetime
    customer_contacted_at: AwareDatetime
    legal_basis: str | None = None
    assessment: PolicyAssessment | None = None
    params: PolicyParameters
    approvals: list[ApprovalGiven] = []
    approvals_required: int = 1
    escalated: bool = False
    stripe_called: bool = False
    stripe_attempt: int = 0
    stripe_refund_id: str | None = None
    stripe_status: str | None = None
    failure_reason: str | None = None
    succeeded_at: AwareDatetime | None = None
    settlement: SettlementWindow | None = None
    settled_at: AwareDatetime | None = None
    resolution: str | None = None
    dispute_id: str | None = None
    timeline: list[TimelineEntry] = []


# ---- updates (one model in, RefundState out) ----


class DecisionRequest(BaseModel):
    """An approver's or finance's approve/reject."""

    actor: Actor
    note: str | None = Field(None, max_length=2000)


class TroubleshootingRecord(BaseModel):
    """A troubleshooting step support took with the customer."""

    actor: Actor
    note: str = Field(min_length=1, max_length=2000)
    outcome: TroubleshootingOutcome


class InvestigationRecord(BaseModel):
    """An approver's finding on an unauthorized-transaction claim."""

    actor: Actor
    finding: InvestigationFinding
    note: str | None = Field(None, max_length=2000)


class CancelRequest(BaseModel):
    """Support or an approver withdrawing the request before Stripe is called."""

    actor: Actor
    note: str | None = Field(None, max_length=2000)


class FailureResolution(BaseModel):
    """Finance's answer to a failed refund: retry through Stripe or record a manual payout."""

    actor: Actor
    action: FailureAction
    reference: str | None = Field(None, max_length=200)


class SettlementConfirmation(BaseModel):
    """Finance confirming the customer's bank shows the refund, before the window ends."""

    actor: Actor
    note: str | None = Field(None, max_length=2000)


# ---- signals ----


class StripeRefundEvent(BaseModel):
    """A Stripe webhook about our refund (refund.updated / refund.failed), relayed by the API."""

    event_id: str
    event_type: str
    stripe_refund_id: str
    created: int


class DisputeOpened(BaseModel):
    """A chargeback opened on the refund's payment."""

    dispute_id: str
    opened_at: AwareDatetime


# ---- activities ----


class CreateStripeRefund(BaseModel):
    """Ask Stripe for the refund: once per (refund, attempt), whatever happens in between."""

    refund_id: str
    attempt: int
    payment_intent_id: str
    amount_minor: int
    currency: str
    reason: str
    order_id: str


class StripeRefundSnapshot(BaseModel):
    """What Stripe says about a refund right now."""

    stripe_refund_id: str
    status: str
    amount_minor: int
    currency: str
    failure_reason: str | None = None
    created: int
    # The attempt in our metadata (None in histories from before lookups carried it).
    attempt: int | None = None


class FindStripeRefunds(BaseModel):
    """Look up every Stripe refund carrying our refund id on the payment, whatever key made it."""

    refund_id: str
    payment_intent_id: str


class StripeRefundsFound(BaseModel):
    """Our refunds as Stripe holds them right now; empty means Stripe definitely holds none of ours."""

    refunds: list[StripeRefundSnapshot] = []


class FetchStripeRefund(BaseModel):
    """Re-read a refund from Stripe (webhooks may arrive late or out of order)."""

    stripe_refund_id: str


class PublishRefund(BaseModel):
    """Write the refund's current state, its new timeline entries and emails to the read model at once."""

    state: RefundState
    new_entries: list[TimelineEntry]
    notifications: list[Notification] = []
    order_status: OrderStatus | None = None


class PublishResult(BaseModel):
    """How many timeline entries were new to the read model (retries write none twice)."""

    written_entries: int


class ComputeSettlement(BaseModel):
    """When Stripe reported success and the policy in force."""

    succeeded_at: datetime
    params: PolicyParameters


class RefundOutcome(BaseModel):
    """How the refund ended."""

    refund_id: str
    status: RefundStatus
    stripe_refund_id: str | None = None
    amount_minor: int
    currency: str
