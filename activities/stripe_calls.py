"""Every Stripe call of an activity goes through here: errors classified for Temporal, latency and errors measured."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import stripe
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.stripe_errors import OUTCOME_UNKNOWN, StripeOutcome, classify_stripe_error

T = TypeVar("T")
RATE_LIMIT_BACKOFF = timedelta(seconds=2)


class StripeRefused(ApplicationError):
    """Stripe answered and did nothing: no retry can change it (non-retryable, typed with Stripe's code)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, type=code, non_retryable=True)
        self.code = code


class StripeOutcomeUnknown(ApplicationError):
    """Stripe may have acted: retryable; `replayed` means Stripe replayed a saved answer, so that request is done."""

    def __init__(self, message: str, code: str, *, replayed: bool) -> None:
        super().__init__(f"{code}: {message}", code, type=OUTCOME_UNKNOWN)
        self.code = code
        self.replayed = replayed


def call_stripe(request: Callable[[], T]) -> T:
    """Run a Stripe request; a failure is raised as a refusal, a rate limit, or an unknown outcome."""
    started = time.monotonic()
    outcome = "ok"
    try:
        return request()
    except stripe.StripeError as error:
        code = _code(error)
        outcome = code
        kind = classify_stripe_error(None if isinstance(error, stripe.APIConnectionError) else error.http_status)
        message = error.user_message or str(error) or code
        if kind is StripeOutcome.RATE_LIMITED:
            # Stripe asks clients to back off; Temporal waits this long before the next attempt.
            raise ApplicationError(
                f"Stripe rate limit: {message}", type="rate_limit", next_retry_delay=RATE_LIMIT_BACKOFF
            ) from error
        if kind is StripeOutcome.REFUSED:
            raise StripeRefused(message, code) from error
        raise StripeOutcomeUnknown(message, code, replayed=_header(error, "idempotent-replayed") == "true") from error
    finally:
        _measure(time.monotonic() - started, outcome)


def _header(error: stripe.StripeError, name: str) -> str | None:
    """A response header of the error, whatever its case."""
    for key, value in (getattr(error, "headers", None) or {}).items():
        if key.lower() == name:
            return str(value).lower()
    return None


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
