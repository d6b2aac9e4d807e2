"""Failed sign-ins per client in a sliding window, kept in memory (one API process; a restart forgets them)."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from threading import Lock


class SignInThrottle:
    """At most `limit` failed sign-ins per client in `window_s` seconds; more are refused until the oldest ages out."""

    def __init__(self, limit: int = 10, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        """The client's failures still inside the window (older ones dropped)."""
        failures = self._failures[client]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds until this client may try again, or None when it may try now."""
        with self._lock:
            now = self._clock()
            failures = self._recent(client, now)
            if len(failures) < self.limit:
                if not failures:
                    self._failures.pop(client, None)
                return None
            return max(1, math.ceil(failures[0] + self.window_s - now))

    def failed(self, client: str) -> None:
        """Count one failed sign-in."""
        with self._lock:
            now = self._clock()
            self._recent(client, now).append(now)
