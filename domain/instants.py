"""Bounds on the times a shop or a support agent gives us: a time outside them cannot be true."""

from datetime import UTC, datetime, timedelta

# Clocks differ a little between the agent's (or the shop's) machine and ours; more than this in the future is a typo.
CLOCK_SKEW = timedelta(minutes=5)
# No payment or support contact of this shop predates 2000 (it did not exist yet): an earlier time is a typo or an
# empty date field sent as 0001-01-01. The floor also keeps every accepted time convertible to UTC, which
# 0001-01-01T00:00:00+14:00 is not (it would be in year 0).
EARLIEST_TRUE_TIME = datetime(2000, 1, 1, tzinfo=UTC)
