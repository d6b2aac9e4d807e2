"""Settlement waits 3 to 10 business days: weekends and the configured country's public holidays do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from refund_support import RefundStack

from workflows.refund import RefundWorkflow

CANDIDATE_COUNTRIES = (
    "FR",
    "DE",
    "GB",
    "US",
    "RO",
    "IT",
    "ES",
    "PT",
    "BE",
    "NL",
    "PL",
    "IE",
    "AT",
    "CH",
    "SE",
    "NO",
    "DK",
    "FI",
    "CZ",
    "HU",
    "GR",
    "JP",
    "KR",
    "BR",
    "AR",
    "MX",
    "CA",
    "AU",
    "NZ",
    "IN",
    "ZA",
    "TR",
    "IL",
    "CL",
    "CO",
    "PE",
)


def _country_with_holiday_in_window(start: date) -> str:
    """A country with a weekday public holiday in the next two weeks, so the window must step over it."""
    for country in CANDIDATE_COUNTRIES:
        calendar = holidays.country_holidays(country, years=[start.year, start.year + 1])
        if any(
            (start + timedelta(days=n)) in calendar and (start + timedelta(days=n)).weekday() < 5 for n in range(1, 12)
        ):
            return country
    raise AssertionError(f"no candidate country has a weekday holiday within 12 days of {start}")


@pytest.fixture
def settings_overrides() -> dict:
    """Today's refunds are settled under a calendar that has a holiday in the coming window."""
    return {"settlement_holiday_country": _country_with_holiday_in_window(datetime.now(UTC).date())}


@pytest.mark.history
async def test_window_skips_weekend_and_holiday_then_settles(stack: RefundStack) -> None:
    country = stack.settings.settlement_holiday_country
    order = await stack.paid_order(amount_minor=2500)
    refund_id = (await stack.request_refund(order["order_id"], "not_activated")).json()["refund_id"]
    refund = await stack.wait_for_status(refund_id, "settling")

    start = datetime.fromisoformat(refund["succeeded_at"]).astimezone(UTC).date()
    expected_from = date.fromisoformat(refund["settlement"]["expected_from"])
    expected_by = date.fromisoformat(refund["settlement"]["expected_by"])
    calendar = holidays.country_holidays(country, years=[start.year, start.year + 1])
    days = [start + timedelta(days=n) for n in range(1, (expected_by - start).days + 1)]
    business = [d for d in days if d.weekday() < 5 and d not in calendar]
    assert len(business) == 10 and business[-1] == expected_by
    assert business[2] == expected_from
    assert any(d.weekday() >= 5 for d in days), "the window spans a weekend"
    assert any(d in calendar and d.weekday() < 5 for d in days), f"the window spans a {country} public holiday"

    handle = stack.handle(refund_id)
    settles_at = datetime.combine(expected_by, datetime.max.time(), tzinfo=UTC)
    now = datetime.now(UTC)
    # The middle of the wait: an hour before the window ends, the refund is still settling.
    await stack.env.fast_forward(handle, settles_at - now - timedelta(hours=1))
    assert (await handle.query(RefundWorkflow.state)).status == "settling"
    await stack.env.fast_forward(handle, timedelta(hours=2))
    assert (await handle.result()).status == "settled"
    settled = await stack.wait_for_status(refund_id, "settled")
    assert datetime.fromisoformat(settled["settled_at"]).date() == expected_by
