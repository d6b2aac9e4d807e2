"""When a succeeded refund should appear on the customer's statement: 3 to 10 business days.

Deterministic for a given `holidays` package version, but a new version may add or move a holiday.
So a workflow must not call `settlement_window` in workflow code: compute it in a (local) activity,
whose result is recorded in history and replays safely; `settles_at` is pure and workflow-safe.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.policy.parameters import PolicyParameters


class SettlementWindow(BaseModel):
    """The days between which the refund is expected on the customer's statement."""

    model_config = ConfigDict(frozen=True)

    succeeded_at: AwareDatetime
    expected_from: date
    expected_by: date


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of one calendar year, from the `holidays` package."""
    # Imported here so workflow code importing domain.policy never loads the holidays package.
    import holidays

    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as error:
        raise ValueError(
            f"No public-holiday calendar for country '{country}'"
            + (f" subdivision '{subdivision}'" if subdivision else "")
            + ": use an ISO 3166-1 code the holidays package supports, such as FR."
        ) from error
    return frozenset(calendar.keys())


def check_holiday_calendar(country: str, subdivision: str | None = None) -> None:
    """Raise ValueError when the holidays package has no calendar for this country/subdivision."""
    _holiday_dates(country, subdivision, 2025)


def is_business_day(day: date, country: str, subdivision: str | None = None) -> bool:
    """Monday to Friday and not a public holiday of the country (and subdivision)."""
    return day.weekday() < 5 and day not in _holiday_dates(country, subdivision, day.year)


def add_business_days(start: date, days: int, country: str, subdivision: str | None = None) -> date:
    """The date `days` business days after `start` (start itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, country, subdivision):
            counted += 1
    return day


def settlement_window(succeeded_at: datetime, params: PolicyParameters) -> SettlementWindow:
    """Expected window counted in business days from the UTC day Stripe reported `succeeded`."""
    if succeeded_at.tzinfo is None:
        raise ValueError("succeeded_at must carry a time zone")
    day = succeeded_at.astimezone(UTC).date()
    country, subdivision = params.holiday_country, params.holiday_subdivision
    return SettlementWindow(
        succeeded_at=succeeded_at,
        expected_from=add_business_days(day, params.settlement_min_business_days, country, subdivision),
        expected_by=add_business_days(day, params.settlement_max_business_days, country, subdivision),
    )


def settles_at(window: SettlementWindow) -> datetime:
    """The end of the expected_by day (23:59:59 UTC): when the durable timer marks it settled."""
    return datetime.combine(window.expected_by, time(23, 59, 59), tzinfo=UTC)
