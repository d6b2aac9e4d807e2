"""Builds the workers exactly as production runs them; tests call this with their own task queues."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities import ActivityDependencies, main_queue_activities, stripe_queue_activities
from core.settings import Settings
from workflows.dispute import DisputeWorkflow
from workflows.refund import RefundWorkflow
from workflows.signed_calls import SignedCallsOnly

WORKFLOWS = [RefundWorkflow, DisputeWorkflow]


def build_workers(
    client: Client,
    settings: Settings,
    deps: ActivityDependencies,
    executor: ThreadPoolExecutor,
) -> list[Worker]:
    """One worker for workflows and database activities, one for rate-limited Stripe activities."""
    main = Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=WORKFLOWS,
        # Only starts and updates the API signed reach a workflow: a forged actor is refused before it acts.
        interceptors=[SignedCallsOnly(settings.signing_key())],
        activities=main_queue_activities(deps),
        activity_executor=executor,
    )
    stripe_worker = Worker(
        client,
        task_queue=settings.temporal_stripe_task_queue,
        activities=stripe_queue_activities(deps),
        activity_executor=executor,
        # A task-queue limit holds across every worker polling it: Stripe sees one ceiling, not one per host.
        max_task_queue_activities_per_second=settings.stripe_max_requests_per_second,
    )
    return [main, stripe_worker]
