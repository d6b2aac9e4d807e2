"""The console's words for money, dates and windows, and its sign-in throttle's window."""

from __future__ import annotations

from datetime import date, timedelta

from console.templating import ago, money, until, window
from console.throttle import SignInThrottle
from store.types import utcnow


def test_money_is_in_major_units_with_its_currency() -> None:
    assert money(11988, "eur") == "119.88 EUR"
    assert money(1250, "jpy") == "1250 JPY"
    assert money(1250, "tnd") == "1.250 TND"
    assert money(None, "eur") == "-"


def test_settlement_windows_read_as_dates() -> None:
    assert window(date(2026, 12, 7), date(2026, 12, 16)) == "expected 7–16 December 2026"
    assert window(date(2026, 11, 28), date(2026, 12, 3)) == "expected 28 November – 3 December 2026"
    assert window(date(2026, 12, 28), date(2027, 1, 5)) == "expected 28 December 2026 – 5 January 2027"
    assert window(None, None) == "-"


def test_times_read_as_durations() -> None:
    now = utcnow()
    assert ago(now - timedelta(days=3, hours=2)) == "3 days ago"
    assert ago(now - timedelta(minutes=5, seconds=3)) == "5 min ago"
    assert until(now + timedelta(days=2, hours=4, minutes=1)) == "in 2 days 4 h"
    assert until(now - timedelta(hours=2, minutes=1)).startswith("passed 2 h ago")


def test_the_throttle_refuses_after_the_limit_until_the_oldest_failure_ages_out() -> None:
    clock = [1000.0]
    throttle = SignInThrottle(limit=3, window_s=60, clock=lambda: clock[0])
    for _ in range(3):
        assert throttle.retry_after("10.0.0.1") is None
        throttle.failed("10.0.0.1")
        clock[0] += 1
    assert throttle.retry_after("10.0.0.1") == 57
    assert throttle.retry_after("10.0.0.2") is None  # per client
    clock[0] += 57
    assert throttle.retry_after("10.0.0.1") is None
