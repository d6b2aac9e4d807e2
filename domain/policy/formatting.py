"""Short, human-readable renderings used in evidence lines and refusal messages."""

import math
from datetime import UTC, datetime, timedelta

from domain.money import Money


def format_money(amount_minor: int, currency: str) -> str:
    """Render minor units with their currency, e.g. '12.50 EUR'."""
    return Money(amount_minor=amount_minor, currency=currency).format()


def format_instant(moment: datetime) -> str:
    """Render an aware datetime in UTC, e.g. '2025-12-01 10:00:00 UTC'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(span: timedelta) -> str:
    """Render a duration in hours, minutes and seconds, e.g. '72 h' or '72 h 1 s'."""
    sign = "-" if span < timedelta(0) else ""
    # Round up so a span just past a limit never reads as exactly the limit.
    total = math.ceil(abs(span.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if seconds or not parts:
        parts.append(f"{seconds} s")
    return sign + " ".join(parts)
