"""Tables and values as staff read them: ids never cut or folded, piped output one row per line."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from domain.money import major_units
from domain.text import escaped

# Tables keep their natural width (a narrower terminal wraps the lines) so ids are never cut or folded,
# and piped output keeps each row on one line for grep and scripts.
MIN_WIDTH = 240
NONE = "-"


def console() -> Console:
    """A console on the current stdout, at least MIN_WIDTH wide."""
    probe = Console()
    return Console(
        width=max(probe.width, MIN_WIDTH) if probe.is_terminal else MIN_WIDTH, highlight=False, soft_wrap=False
    )


def emit(*renderables: Any) -> None:
    """Print strings (never read as markup) and tables to stdout; piped output drops the blanks padding table lines."""
    out = console()
    if out.is_terminal:
        _print_all(out, renderables)
        return
    with out.capture() as captured:
        _print_all(out, renderables)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _print_all(out: Console, renderables: Sequence[Any]) -> None:
    """Print each renderable in turn; strings with their control characters escaped, as in `cell`."""
    for renderable in renderables:
        if isinstance(renderable, str):
            out.print(escaped(renderable), markup=False, soft_wrap=True)
        else:
            out.print(renderable)


def cell(value: Any) -> Text:
    """A value as plain text: never read as rich markup (a note may contain brackets), and its control characters
    escaped (ESC as \\x1b), so text stored before the API refused them cannot drive the reader's terminal."""
    if value is None or value == "":
        return Text(NONE)
    return Text(escaped(str(value)))


def money(amount_minor: int, currency: str) -> str:
    """'19.99 EUR'."""
    return f"{major_units(amount_minor, currency)} {currency.upper()}"


def day(value: str | None) -> str:
    """An API timestamp's UTC date."""
    return datetime.fromisoformat(value).date().isoformat() if value else NONE


def when(value: str | None) -> str:
    """An API timestamp as 'YYYY-MM-DD HH:MM UTC'."""
    if not value:
        return NONE
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Sequence[str] = (),
    whole: Sequence[str] = (),
) -> Table:
    """A simple table; `right` columns are right-aligned (amounts), `whole` ones are never folded (ids people copy)."""
    result = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        result.add_column(
            column, justify="right" if column in right else "left", overflow="fold", no_wrap=column in whole
        )
    for row in rows:
        result.add_row(*(cell(value) for value in row))
    return result


def fields(pairs: Iterable[tuple[str, Any]]) -> Table:
    """Label/value lines, aligned."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(Text(label), cell(value))
    return grid
