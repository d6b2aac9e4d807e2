"""Dispute read-model activities: gather our records about a disputed payment, publish the dispute's state."""

from __future__ import annotations

from temporalio import activity

from domain.dispute_messages import DisputeContext, PublishDispute, StripeDisputeSnapshot
from store import disputes
from store.db import Database
from workflows.contracts.dispute import DisputeReadModel


class DisputeReadModelActivities(DisputeReadModel):
    """Activities over the read-model database for disputes."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @activity.defn(name="load_dispute_context")
    def load_dispute_context(self, dispute: StripeDisputeSnapshot) -> DisputeContext:
        """Orders, customer, support contacts and refunds tied to the disputed payment."""
        return self.database.transact(lambda session: disputes.load_context(session, dispute))

    @activity.defn(name="publish_dispute")
    def publish_dispute(self, message: PublishDispute) -> None:
        """Record the dispute's state and its effects on orders and the customer."""
        self.database.transact(lambda session: disputes.publish(session, message))
        activity.logger.info(
            "dispute published", extra={"dispute_id": message.state.dispute_id, "status": message.state.status.value}
        )
