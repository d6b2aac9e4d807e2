"""Read-model activities: write what the workflow decided, in one transaction each."""

from __future__ import annotations

from temporalio import activity

from domain.policy import settlement_window
from domain.policy.settlement import SettlementWindow
from domain.refund_messages import ComputeSettlement, PublishRefund, PublishResult
from store import refunds
from store.db import Database
from workflows.contracts.refund import RefundReadModel


class ReadModelActivities(RefundReadModel):
    """Activities over the read-model database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @activity.defn(name="publish_refund")
    def publish_refund(self, message: PublishRefund) -> PublishResult:
        """Record the refund's state, its new audit entries and customer emails atomically."""
        written = self.database.transact(lambda session: refunds.publish(session, message))
        activity.logger.info(
            "refund published",
            extra={"refund_id": message.state.refund_id, "status": message.state.status.value, "entries": written},
        )
        return PublishResult(written_entries=written)

    @activity.defn(name="compute_settlement_window")
    def compute_settlement_window(self, request: ComputeSettlement) -> SettlementWindow:
        """3 to 10 business days from Stripe's success, with the configured country's holidays."""
        return settlement_window(request.succeeded_at, request.params)
