"""Fast tests of the workflows' state machines: real workflow code on the session's Temporal dev server, every
activity replaced by a fake registered under the real activity's name (no database, Stripe or API)."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.dispute_messages import (
    DisputeActionRequest,
    DisputeContext,
    DisputeEvidenceSubmission,
    PublishDispute,
    StripeDisputeSnapshot,
)
from domain.disputes import DisputeStatus
from domain.policy import settlement_window
from domain.policy.settlement import SettlementWindow
from domain.refund_messages import (
    ComputeSettlement,
    CreateStripeRefund,
    FetchStripeRefund,
    FindStripeRefunds,
    PublishRefund,
    PublishResult,
    StripeRefundsFound,
    StripeRefundSnapshot,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclass
class Fakes:
    """What the fake activities answer, and what they were asked (each test sets the answers it needs)."""

    # create_stripe_refund answers in turn: a Stripe status, or an error code raised as a permanent refusal.
    create_outcomes: list[str] = field(default_factory=lambda: ["succeeded"])
    fetch_status: str = "succeeded"
    # What find_stripe_refunds answers: our refunds as Stripe holds them (empty: none of ours).
    found_refunds: list[StripeRefundSnapshot] = field(default_factory=list)
    context: DisputeContext = field(default_factory=DisputeContext)
    stripe_dispute_status: DisputeStatus = DisputeStatus.UNDER_REVIEW
    published: list[PublishRefund] = field(default_factory=list)
    disputes_published: list[PublishDispute] = field(default_factory=list)
    stripe_calls: list[str] = field(default_factory=list)
    # Stripe's accept answers once this is set (a test clears it to act on the dispute before the workflow ends).
    accept_answers: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.accept_answers.set()

    @activity.defn(name="publish_refund")
    async def publish_refund(self, message: PublishRefund) -> PublishResult:
        self.published.append(message)
        return PublishResult(written_entries=len(message.new_entries))

    @activity.defn(name="compute_settlement_window")
    async def compute_settlement_window(self, request: ComputeSettlement) -> SettlementWindow:
        return settlement_window(request.succeeded_at, request.params)

    @activity.defn(name="create_stripe_refund")
    async def create_stripe_refund(self, request: CreateStripeRefund) -> StripeRefundSnapshot:
        self.stripe_calls.append(f"create {request.refund_id} attempt {request.attempt}")
        outcome = self.create_outcomes.pop(0) if len(self.create_outcomes) > 1 else self.create_outcomes[0]
        if outcome not in ("succeeded", "pending", "failed"):
            raise ApplicationError(f"Stripe refused: {outcome}", type=outcome, non_retryable=True)
        return self._snapshot(request.attempt, outcome, request.amount_minor, request.currency)

    @activity.defn(name="find_stripe_refunds")
    async def find_stripe_refunds(self, request: FindStripeRefunds) -> StripeRefundsFound:
        self.stripe_calls.append(f"find {request.refund_id}")
        return StripeRefundsFound(refunds=self.found_refunds)

    @activity.defn(name="fetch_stripe_refund")
    async def fetch_stripe_refund(self, request: FetchStripeRefund) -> StripeRefundSnapshot:
        self.stripe_calls.append(f"fetch {request.stripe_refund_id}")
        return StripeRefundSnapshot(
            stripe_refund_id=request.stripe_refund_id,
            status=self.fetch_status,
            amount_minor=0,
            currency="eur",
            failure_reason="lost_or_stolen_card" if self.fetch_status == "failed" else None,
            created=0,
        )

    @activity.defn(name="load_dispute_context")
    async def load_dispute_context(self, dispute: StripeDisputeSnapshot) -> DisputeContext:
        return self.context

    @activity.defn(name="publish_dispute")
    async def publish_dispute(self, message: PublishDispute) -> None:
        self.disputes_published.append(message)

    @activity.defn(name="submit_dispute_evidence")
    async def submit_dispute_evidence(self, request: DisputeEvidenceSubmission) -> DisputeStatus:
        self.stripe_calls.append(f"submit {request.dispute_id}: {', '.join(sorted(request.evidence))}")
        return self.stripe_dispute_status

    @activity.defn(name="accept_dispute")
    async def accept_dispute(self, request: DisputeActionRequest) -> DisputeStatus:
        self.stripe_calls.append(f"accept {request.dispute_id}")
        await self.accept_answers.wait()
        return DisputeStatus.LOST

    @staticmethod
    def _snapshot(attempt: int, status: str, amount_minor: int, currency: str) -> StripeRefundSnapshot:
        return StripeRefundSnapshot(
            stripe_refund_id=f"re_fake_{attempt}",
            status=status,
            amount_minor=amount_minor,
            currency=currency,
            created=0,
        )

    def activities(self) -> list[object]:
        """Every fake, bound to this test's answers."""
        return [
            self.publish_refund,
            self.compute_settlement_window,
            self.create_stripe_refund,
            self.find_stripe_refunds,
            self.fetch_stripe_refund,
            self.load_dispute_context,
            self.publish_dispute,
            self.submit_dispute_evidence,
            self.accept_dispute,
        ]


@dataclass
class Logic:
    """One test's worker: its task queue (Stripe calls go to the same queue), its fakes, the environment."""

    env: WorkflowEnvironment
    task_queue: str
    fakes: Fakes
