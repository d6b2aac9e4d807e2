"""The console's Jinja2 templates and the filters that put money, dates and statuses in words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from domain.money import major_units
from store.types import utcnow

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def money(amount_minor: int | None, currency: str | None) -> str:
    """'119.88 EUR' from 11988 and 'eur': what a person reads, never minor units."""
    if amount_minor is None or not currency:
        return "-"
    return f"{major_units(amount_minor, currency)} {currency.upper()}"


def when(moment: datetime | str | None) -> str:
    """'3 Dec 2026, 14:05 UTC' (also from the ISO text a JSON column holds)."""
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def ago(moment: datetime | None) -> str:
    """'5 min ago', '3 h ago', '2 days ago'."""
    if moment is None:
        return "-"
    seconds = int((utcnow() - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if unit == 'day' and count > 1 else ''} ago"
    return "just now"


def until(moment: datetime | None) -> str:
    """'in 3 days 4 h', 'in 5 h', 'passed 2 h ago': a deadline as a countdown."""
    if moment is None:
        return "-"
    seconds = int((moment - utcnow()).total_seconds())
    if seconds <= 0:
        return f"passed {ago(moment)}"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"in {days} day{'s' if days > 1 else ''} {hours} h"
    return f"in {hours} h {rest // 60} min" if hours else f"in {rest // 60} min"


def day(value: date | None) -> str:
    """'7 December 2026'."""
    return value.strftime("%-d %B %Y") if value else "-"


def window(start: date | None, end: date | None) -> str:
    """'expected 7–16 December 2026' (one month), or with both months and years when they differ."""
    if start is None or end is None:
        return "-"
    if start == end:
        return f"expected {day(start)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"expected {start.day}–{day(end)}"
    if start.year == end.year:
        return f"expected {start.strftime('%-d %B')} – {day(end)}"
    return f"expected {day(start)} – {day(end)}"


def words(code: str | None) -> str:
    """'awaiting approval' from 'awaiting_approval'."""
    return (code or "-").replace("_", " ")


templates.env.filters.update(money=money, when=when, ago=ago, until=until, day=day, window=window, words=words)
