"""The chaos suite in CI (`python -m benchmarks.chaos --ci`): no refund lost, refunded twice or shown unlike Stripe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.chaos.catalog import EXPERIMENTS
from core.settings import REPO_ROOT

# The run's own limit is 420 s (CI preset); this only catches a run that would not stop by itself.
RUN_TIMEOUT_S = 600
PROBLEMS = ("lost", "duplicated", "disagreeing", "stuck", "untracked")


@pytest.mark.chaos
@pytest.mark.timeout(RUN_TIMEOUT_S + 30)
def test_chaos_ci_every_refund_ends_where_its_money_did(tmp_path: Path) -> None:
    results_file = tmp_path / "chaos.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.chaos", "--ci", "--json", str(results_file)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    print(run.stdout[-20000:])  # the per-experiment blocks and the summary table, shown when the test fails
    assert results_file.exists(), (
        f"the chaos run ended without results (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    experiments = json.loads(results_file.read_text())["experiments"]
    assert [e["name"] for e in experiments] == list(EXPERIMENTS), "every experiment runs in CI"
    broken = [f"{e['name']}: {e['error']}" for e in experiments if e["error"]]
    assert not broken, broken
    assert all(e["requested"] > 0 for e in experiments), [(e["name"], e["requested"]) for e in experiments]
    problems = {
        e["name"]: {p: e[p] for p in PROBLEMS if e[p]} | {"findings": e["findings"][:5]}
        for e in experiments
        if any(e[p] for p in PROBLEMS)
    }
    assert not problems, json.dumps(problems, indent=2)
    assert run.returncode == 0, run.stdout[-3000:]
