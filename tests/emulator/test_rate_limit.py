"""Stripe's rate limit: N reads and N writes per second, answered 429 `rate_limit`."""

from __future__ import annotations

import pytest
import stripe


def test_requests_past_the_ceiling_get_429_rate_limit(client, emulator):
    customer = client.v1.customers.create()
    emulator.control.configure(rate_limit=3)
    outcomes = []
    for _ in range(6):
        try:
            client.v1.customers.retrieve(customer.id)
            outcomes.append(200)
        except stripe.RateLimitError as error:
            outcomes.append(error.http_status)
            limited = error
    assert outcomes.count(200) == 3 and outcomes.count(429) == 3
    assert limited.error.code == "rate_limit"
    assert limited.json_body["error"]["type"] == "invalid_request_error"
    assert limited.headers["Request-Id"].startswith("req_")


def test_reads_and_writes_have_separate_windows(client, emulator):
    emulator.control.configure(rate_limit=2)
    client.v1.customers.create()
    client.v1.customers.create()
    with pytest.raises(stripe.RateLimitError):
        client.v1.customers.create()
    assert client.v1.customers.list().object == "list", "reads still pass"


def test_zero_turns_the_limit_off(client, emulator):
    emulator.control.configure(rate_limit=0)
    for _ in range(40):
        client.v1.events.list(params={"limit": 1})
