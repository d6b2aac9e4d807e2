"""Stripe's rate limiter: at most N reads and N writes in any one-second window (test mode: 25)."""

from __future__ import annotations

import time
from collections import deque

from stripe_emulator.errors import StripeError

RATE_LIMIT_MESSAGE = (
    "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits."
)


class RateLimiter:
    """Sliding one-second windows, one for reads (GET) and one for writes."""

    def __init__(self) -> None:
        self.windows: dict[str, deque[float]] = {"read": deque(), "write": deque()}

    def check(self, method: str, limit: int) -> None:
        """Count the request, or raise Stripe's 429 `rate_limit` error when the window is full."""
        if limit <= 0:
            return
        window = self.windows["read" if method == "GET" else "write"]
        now = time.monotonic()
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            # Stripe's SDKs do not retry genuine rate limits (only lock timeouts), so no Stripe-Should-Retry here.
            raise StripeError(429, RATE_LIMIT_MESSAGE, code="rate_limit", saved=False)
        window.append(now)

    def reset(self) -> None:
        """Forget counted requests."""
        for window in self.windows.values():
            window.clear()
