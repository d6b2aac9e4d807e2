"""Times that cannot be true are refused at the door with a sentence, never stored nor answered by a 500 (issue 11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from platform_support import SHOP, SUPPORT

# No UTC equivalent (it would fall in year 0): converting it raised OverflowError, a 500.
YEAR_ONE_EAST = "0001-01-01T00:00:00+14:00"
YEAR_9999_WEST = "9999-12-31T23:59:59-14:00"


def soon(**delta: float) -> str:
    """Now plus `delta`, as the API takes it."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    ("paid_at", "code", "words"),
    [
        ("2030-01-01T00:00:00Z", "paid_in_future", "is in the future"),
        (YEAR_9999_WEST, "paid_in_future", "is in the future"),
        ("0001-01-01T00:00:00Z", "paid_too_early", "is before 2000-01-01"),
        (YEAR_ONE_EAST, "paid_too_early", "is before 2000-01-01"),
        ("1999-12-31T23:59:59Z", "paid_too_early", "earlier than any payment this shop took"),
    ],
    ids=["2030", "year-9999-west", "year-1", "year-1-east", "1999"],
)
async def test_an_impossible_payment_time_is_refused(
    api: httpx.AsyncClient, unique, paid_at, code, words, order_body
) -> None:
    order_id = unique("ord")
    response = await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus"), paid_at=paid_at))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["detail"].startswith("paid_at ") and words in response.json()["detail"]
    assert (await api.get(f"/orders/{order_id}", headers=SUPPORT)).status_code == 404


async def test_a_payment_a_moment_ago_by_a_clock_a_little_ahead_is_accepted(
    api: httpx.AsyncClient, unique, order_body
) -> None:
    response = await api.post(
        "/orders", headers=SHOP, json=order_body(unique("ord"), unique("cus"), paid_at=soon(minutes=2))
    )
    assert response.status_code == 201, response.text


async def test_an_activation_in_the_future_is_refused(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"), activated_at="2030-01-01T00:00:00Z")
    response = await api.post("/orders", headers=SHOP, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "activation_in_future"
    order_id = unique("ord2")
    assert (await api.post("/orders", headers=SHOP, json=order_body(order_id, unique("cus2")))).status_code == 201
    later = await api.post(f"/orders/{order_id}/activation", headers=SHOP, json={"activated_at": YEAR_9999_WEST})
    assert later.status_code == 422, later.text
    assert later.json()["code"] == "activation_in_future"


@pytest.mark.parametrize(
    ("contacted_at", "code", "words"),
    [
        ("0001-01-01T00:00:00Z", "contact_too_early", "is before 2000-01-01"),
        (YEAR_ONE_EAST, "contact_too_early", "is before 2000-01-01"),
        (YEAR_9999_WEST, "contact_in_future", "is in the future"),
        ("2025-02-28T10:00:00Z", "contact_before_payment", "is before the customer's first payment"),
    ],
    ids=["year-1", "year-1-east", "year-9999-west", "before-payment"],
)
async def test_an_impossible_contact_time_is_refused(
    api: httpx.AsyncClient, unique, contacted_at, code, words, order_body
) -> None:
    customer_id = unique("cus")
    # order_body's order was paid on 2025-03-01 10:00 UTC.
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id))).status_code == 201
    response = await api.post(
        f"/customers/{customer_id}/contacts", headers=SUPPORT, json={"channel": "phone", "contacted_at": contacted_at}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["detail"].startswith("contacted_at ") and words in response.json()["detail"]


async def test_a_contact_after_the_first_payment_is_recorded(api: httpx.AsyncClient, unique, order_body) -> None:
    customer_id = unique("cus")
    assert (await api.post("/orders", headers=SHOP, json=order_body(unique("ord"), customer_id))).status_code == 201
    response = await api.post(
        f"/customers/{customer_id}/contacts",
        headers=SUPPORT,
        json={"channel": "phone", "contacted_at": "2025-03-01T12:00:00+01:00"},
    )
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["contacted_at"]) == datetime(2025, 3, 1, 11, tzinfo=UTC)
