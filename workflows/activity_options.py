"""Timeouts and retry policies every workflow uses for its activities."""

from datetime import timedelta
from typing import TypedDict

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.stripe_errors import PERMANENT_STRIPE_ERRORS


class LocalActivityOptions(TypedDict):
    """The keyword options of a local activity call, typed so calls still type-check."""

    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy


# Read-model writes are local activities: quick, retried in the worker, one billable action per task.
READ_MODEL: LocalActivityOptions = {
    "start_to_close_timeout": timedelta(seconds=15),
    "retry_policy": RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)),
}
# Stripe calls: transient failures retry with backoff (same idempotency key); permanent ones never do.
STRIPE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=sorted(PERMANENT_STRIPE_ERRORS),
)
