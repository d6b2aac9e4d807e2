"""What crosses the dispute workflow's boundary: input, state, updates, signals and activity I/O."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AwareDatetime, BaseModel, Field

from domain.disputes import ContactFact, DisputeStatus, OrderEvidence, PriorContactDecision
from domain.roles import Actor


def dispute_workflow_id(dispute_id: str) -> str:
    """The dispute workflow's id, derived from Stripe's dispute id."""
    return f"dispute-{dispute_id}"


class StripeDisputeSnapshot(BaseModel):
    """A Stripe dispute as an event or the API reports it."""

    dispute_id: str
    charge_id: str
    payment_intent_id: str | None = None
    amount_minor: int
    currency: str
    reason: str
    status: DisputeStatus
    due_by: AwareDatetime | None = None
    opened_at: AwareDatetime


class DisputeInput(BaseModel):
    """The dispute as first seen, plus the parameters in force when it opened."""

    dispute: StripeDisputeSnapshot
    evidence_lead_time: timedelta = timedelta(days=2)
    stripe_task_queue: str = "refunds-stripe"
    stripe_call_timeout: timedelta = timedelta(seconds=30)


class DisputeEvent(BaseModel):
    """A charge.dispute.* webhook relayed by the API."""

    event_id: str
    event_type: str
    dispute: StripeDisputeSnapshot


class DisputeContext(BaseModel):
    """What our records hold about the disputed payment."""

    customer_id: str | None = None
    order_ids: list[str] = []
    orders: list[OrderEvidence] = []
    contacts: list[ContactFact] = []
    open_refund_ids: list[str] = []
    # Refunds counting toward "refunded so far" (domain.refunds.REFUNDED_SO_FAR); the dispute links them all.
    paid_refund_ids: list[str] = []


class DisputeTimelineEntry(BaseModel):
    """One step of a dispute's handling."""

    seq: int
    at: AwareDatetime
    kind: str
    status: str
    actor: Actor
    note: str | None = None


class DisputeState(BaseModel):
    """The dispute as the workflow knows it; what its query and updates answer."""

    dispute_id: str
    workflow_id: str
    snapshot: StripeDisputeSnapshot
    status: DisputeStatus
    customer_id: str | None = None
    order_ids: list[str] = []
    refund_ids: list[str] = []
    decision: PriorContactDecision | None = None
    suspended: bool = False
    evidence_submitted_at: AwareDatetime | None = None
    evidence_due_at: AwareDatetime | None = None
    accepted: bool = False
    outcome: str | None = None
    timeline: list[DisputeTimelineEntry] = []


class FinanceDisputeAction(BaseModel):
    """Finance submitting evidence now (with optional free text) or accepting the dispute."""

    actor: Actor
    uncategorized_text: str | None = Field(None, max_length=20000)


class OrderEffect(BaseModel):
    """A change the dispute makes to our records, applied with its state in one transaction."""

    suspend_order_ids: list[str] = []
    reinstate_order_ids: list[str] = []
    charged_back_order_ids: list[str] = []
    restrict_customer_id: str | None = None
    reason: str | None = None


class PublishDispute(BaseModel):
    """Write the dispute's state and the effects of its latest step."""

    state: DisputeState
    effects: OrderEffect = OrderEffect()


class DisputeEvidenceSubmission(BaseModel):
    """Evidence to send to Stripe for a dispute, submitted for the bank's decision."""

    dispute_id: str
    evidence: dict[str, str]


class DisputeActionRequest(BaseModel):
    """A Stripe dispute to act on."""

    dispute_id: str
