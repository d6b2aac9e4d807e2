"""Every Stripe call of an activity goes through here: errors classified for Temporal, latency and errors measured."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import stripe
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.stripe_errors import PERMANENT_STRIPE_ERRORS

T = TypeVar("T")
RATE_LIMIT_BACKOFF = timedelta(seconds=2)


def call_stripe(request: Callable[[], T]) -> T:
    """Run a Stripe request, turning permanent errors into non-retryable failures the workflow can explain."""
    started = time.monotonic()
    outcome = "ok"
    try:
        return request()
    except stripe.RateLimitError as error:
        outcome = "rate_limit"
        # Stripe asks clients to back off; Temporal waits this long before the next attempt.
        raise ApplicationError(f"Stripe rate limit: {error.user_message or error}", type="rate_limit", next_retry_delay=RATE_LIMIT_BACKOFF) from error
    except stripe.StripeError as error:
        code = _code(error)
        outcome = code
        should_retry = (error.headers or {}).get("stripe-should-retry") if hasattr(error, "headers") else None
        permanent = code in PERMANENT_STRIPE_ERRORS or should_retry == "false" or (
            isinstance(error, stripe.InvalidRequestError) and (error.http_status or 0) < 500 and error.http_status != 409
        )
        if permanent:
            raise ApplicationError(error.user_message or str(error), type=code, non_retryable=True) from error
        raise  # network errors, 5xx, 409 lock: Temporal retries with the same idempotency key
    finally:
        _measure(time.monotonic() - started, outcome)


def _measure(seconds: float, outcome: str) -> None:
    """Stripe latency and errors, exported with the SDK's metrics (Prometheus on the worker)."""
    meter = activity.metric_meter()  # already labelled with activity_type, task_queue and namespace
    meter.create_histogram_float("stripe_call_latency", "Stripe API call latency", "s").record(seconds)
    if outcome != "ok":
        meter.create_counter("stripe_call_errors", "Stripe API calls that failed").add(1, {"error": outcome})


def _code(error: stripe.StripeError) -> str:
    """Stripe's error code, or a stable name for its class."""
    if error.code:
        return error.code
    if isinstance(error, stripe.AuthenticationError):
        return "authentication_error"
    if isinstance(error, stripe.PermissionError):
        return "permission_error"
    if isinstance(error, stripe.InvalidRequestError):
        return "invalid_request"
    return type(error).__name__
