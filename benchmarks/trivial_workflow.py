"""The cheapest useful workflow: one activity. Its rate is the ceiling Temporal sets on this machine."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@activity.defn
async def noop(value: int) -> int:
    """Does nothing but come back."""
    return value


@workflow.defn
class OneActivityWorkflow:
    """Runs `noop` once."""

    @workflow.run
    async def run(self, value: int) -> int:
        """One activity, as a refund's Stripe call would be."""
        return await workflow.execute_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=30), retry_policy=RetryPolicy(maximum_attempts=3)
        )
