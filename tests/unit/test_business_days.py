"""Settlement window: 3 to 10 business days, skipping weekends and public holidays of the country."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest

from domain.policy import (
    PolicyParameters,
    SettlementWindow,
    add_business_days,
    check_holiday_calendar,
    is_business_day,
    settlement_window,
    settles_at,
)

FR = PolicyParameters()


def at_noon(day: date) -> datetime:
    """Noon UTC on a day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_weekdays_count_and_weekend_is_skipped():
    # Wed 2025-12-03: Thu, Fri, (weekend), Mon -> 3rd business day is Mon 8 Dec.
    assert add_business_days(date(2025, 12, 3), 3, "FR") == date(2025, 12, 8)


def test_start_day_never_counts_and_zero_days_is_the_same_day():
    assert add_business_days(date(2025, 12, 3), 1, "FR") == date(2025, 12, 4)
    assert add_business_days(date(2025, 12, 6), 0, "FR") == date(2025, 12, 6)


def test_succeeded_on_a_saturday_counts_from_monday():
    window = settlement_window(at_noon(date(2025, 12, 6)), FR)
    assert window.expected_from == date(2025, 12, 10)  # Mon 8, Tue 9, Wed 10


def test_christmas_and_new_year_plus_weekends_are_skipped():
    # Mon 22 Dec 2025: 23, 24, [25 Christmas], 26 -> from Fri 26 Dec;
    # then 29, 30, 31, [1 Jan], 2, [weekend], 5, 6, 7 -> by Wed 7 Jan 2026.
    window = settlement_window(at_noon(date(2025, 12, 22)), FR)
    assert (window.expected_from, window.expected_by) == (date(2025, 12, 26), date(2026, 1, 7))


def test_may_holidays_labour_day_victory_day_and_ascension_are_skipped():
    # Thu 30 Apr 2026: [Fri 1 May], [weekend], 4, 5, 6 -> from Wed 6 May;
    # 7, [Fri 8 May], [weekend], 11, 12, 13, [Thu 14 Ascension], 15, [weekend], 18, 19 -> by Tue 19 May.
    window = settlement_window(at_noon(date(2026, 4, 30)), FR)
    assert (window.expected_from, window.expected_by) == (date(2026, 5, 6), date(2026, 5, 19))


def test_subdivision_adds_its_own_holidays():
    # Alsace-Moselle (57) also rests on 26 December.
    moselle = PolicyParameters(holiday_subdivision="57")
    window = settlement_window(at_noon(date(2025, 12, 22)), moselle)
    assert window.expected_from == date(2025, 12, 29)


def test_another_country_uses_its_own_calendar():
    # 26 Dec is a public holiday in Germany, not in France.
    assert is_business_day(date(2025, 12, 26), "FR")
    assert not is_business_day(date(2025, 12, 26), "DE")


def test_the_day_is_taken_in_utc():
    # 23:30 in New York on Sunday 21 Dec is Monday 22 Dec in UTC.
    evening_ny = datetime(2025, 12, 21, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    monday = settlement_window(evening_ny, FR)
    assert monday.expected_from == date(2025, 12, 26)
    # 00:30 in Paris on Monday 22 Dec is still Sunday 21 Dec in UTC.
    early_paris = datetime(2025, 12, 22, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    sunday = settlement_window(early_paris, FR)
    assert sunday.expected_from == date(2025, 12, 24)


def test_configurable_bounds():
    params = PolicyParameters(settlement_min_business_days=1, settlement_max_business_days=2)
    window = settlement_window(at_noon(date(2025, 12, 24)), params)
    assert (window.expected_from, window.expected_by) == (date(2025, 12, 26), date(2025, 12, 29))


def test_settles_at_is_the_end_of_the_expected_by_day_utc():
    window = settlement_window(at_noon(date(2025, 12, 22)), FR)
    assert settles_at(window) == datetime(2026, 1, 7, 23, 59, 59, tzinfo=UTC)


def test_window_round_trips_through_json():
    window = settlement_window(at_noon(date(2025, 12, 22)), FR)
    assert SettlementWindow.model_validate_json(window.model_dump_json()) == window


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        settlement_window(datetime(2025, 12, 22, 12), FR)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_business_days(date(2025, 12, 22), -1, "FR")


@pytest.mark.parametrize(("country", "subdivision"), [("ZZ", None), ("FR", "99")])
def test_unsupported_calendar_gives_a_clear_error(country, subdivision):
    with pytest.raises(ValueError, match="No public-holiday calendar"):
        check_holiday_calendar(country, subdivision)
    params = PolicyParameters(holiday_country=country, holiday_subdivision=subdivision)
    with pytest.raises(ValueError, match="No public-holiday calendar"):
        settlement_window(at_noon(date(2025, 12, 22)), params)


@pytest.mark.parametrize(("country", "subdivision"), [("FR", None), ("FR", "57"), ("DE", "BY"), ("US", None)])
def test_supported_calendars_pass_the_check(country, subdivision):
    assert check_holiday_calendar(country, subdivision) is None


def test_every_start_day_over_two_years_matches_an_independent_count():
    """Property-style: for each day of 2025-2026 the window's ends are business days, and exactly
    3 and 10 business days (counted naively from the holidays calendar) lie after the start."""
    calendar = holidays.country_holidays("FR", years=range(2025, 2028))

    def business_days_between(start: date, end: date) -> int:
        """Business days in (start, end], counted one calendar day at a time."""
        days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
        return sum(1 for d in days if d.weekday() < 5 and d not in calendar)

    start = date(2025, 1, 1)
    for offset in range(730):
        day = start + timedelta(days=offset)
        window = settlement_window(at_noon(day), FR)
        for bound, count in ((window.expected_from, 3), (window.expected_by, 10)):
            assert bound.weekday() < 5 and bound not in calendar, (day, bound)
            assert business_days_between(day, bound) == count, (day, bound)
        assert timedelta(days=3) <= window.expected_from - day <= window.expected_by - day <= timedelta(days=20)
