"""What a run prints: a block per experiment as it ends, and the summary table."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.chaos.measure import Audit

COLUMNS = (
    "experiment",
    "requested",
    "settled",
    "failed",
    "lost",
    "duplicated",
    "stuck",
    "disagreeing",
    "untracked",
    "5xx no detail",
    "recovery s",
    "settle s",
)
MAX_FINDINGS = 12


@dataclass
class ExperimentResult:
    """One experiment's audit after settling, with its recovery times and remarks."""

    name: str
    audit: Audit
    recoveries: list[float | None] = field(default_factory=list)
    settle_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """No lost, duplicated, stuck, disagreeing or untracked refund, and the experiment itself ran."""
        return self.error is None and self.audit.clean

    def recovery(self) -> str:
        """The slowest recovery; 'never' when a probe refund did not succeed in time."""
        if not self.recoveries:
            return "-"
        if any(seconds is None for seconds in self.recoveries):
            return "never"
        return f"{max(s for s in self.recoveries if s is not None):.1f}"

    def as_json(self) -> dict:
        """The result for --json (what the CI test reads)."""
        a = self.audit
        counts = {
            name: getattr(a, name)
            for name in (
                "requested",
                "settled",
                "failed",
                "lost",
                "duplicated",
                "stuck",
                "disagreeing",
                "untracked",
                "no_detail_5xx",
            )
        }
        return {"name": self.name, **counts, "recoveries_s": self.recoveries, "settle_s": round(self.settle_s, 1),
                "passed": self.passed, "error": self.error, "notes": self.notes, "findings": a.findings}  # fmt: skip

    def row(self) -> list[str]:
        """The table row."""
        a = self.audit
        counts = (
            a.requested,
            a.settled,
            a.failed,
            a.lost,
            a.duplicated,
            a.stuck,
            a.disagreeing,
            a.untracked,
            a.no_detail_5xx,
        )
        return [self.name, *map(str, counts), self.recovery(), f"{self.settle_s:.0f}"]


def experiment_block(result: ExperimentResult) -> str:
    """What one experiment found, printed as soon as it is measured."""
    verdict = "ok" if result.passed else "FAILED"
    lines = [f"== {result.name}: {verdict}", table([result])]
    lines += [f"   note: {note}" for note in result.notes]
    if result.error:
        lines.append(f"   error: {result.error}")
    findings = result.audit.findings
    lines += [f"   - {finding}" for finding in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        lines.append(f"   ... and {len(findings) - MAX_FINDINGS} more")
    return "\n".join(lines) + "\n"


def table(results: list[ExperimentResult], total: bool = False) -> str:
    """A plain-text table; with `total`, a last row summing the counts."""
    rows = [r.row() for r in results]
    if total and results:
        sums = [sum(int(row[i]) for row in rows) for i in range(1, 10)]
        rows.append(["TOTAL", *map(str, sums), "", f"{sum(r.settle_s for r in results):.0f}"])
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) for i in range(len(COLUMNS))]

    def fmt(cells):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([fmt(COLUMNS), fmt(["-" * w for w in widths]), *map(fmt, rows)])
