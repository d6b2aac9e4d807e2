"""Start-up retries for dependencies that may come up after us (tenacity)."""

from __future__ import annotations

import logging

from tenacity import AsyncRetrying, Retrying, stop_after_delay, stop_never, wait_exponential

log = logging.getLogger("startup")


def startup_retrying(what: str, timeout_s: float = 120.0) -> Retrying:
    """Retry a blocking connection attempt with backoff, logging each wait."""
    return Retrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_exponential(multiplier=0.5, max=5),
        before_sleep=_log_wait(what),
        reraise=True,
    )


def async_startup_retrying(what: str, timeout_s: float | None = 120.0) -> AsyncRetrying:
    """Retry an async connection attempt with backoff, logging each wait; `timeout_s=None` never gives up."""
    return AsyncRetrying(
        stop=stop_never if timeout_s is None else stop_after_delay(timeout_s),
        wait=wait_exponential(multiplier=0.5, max=5),
        before_sleep=_log_wait(what),
        reraise=True,
    )


def _log_wait(what: str):
    """A before-sleep hook that says what we wait for and why."""

    def hook(state) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            f"{what} not reachable yet; retrying",
            extra={"dependency": what, "attempt": state.attempt_number, "error": str(error)},
        )

    return hook
