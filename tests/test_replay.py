"""Replays saved workflow histories: a code change that would break running workflows fails here.

Regenerate after an intended, patched change: `SAVE_HISTORIES=1 make test PYTEST_ARGS=tests/refunds`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.temporal import DATA_CONVERTER
from worker.build import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent / "histories"
# Paths whose histories must exist, so deleting them cannot make this test pass vacuously.
REQUIRED = {"refund_straight_through", "refund_stripe_500_after_success", "refund_settlement_calendar"}
SAVED = sorted(HISTORIES.glob("*.json"))


def test_required_histories_are_saved() -> None:
    assert REQUIRED <= {path.stem for path in SAVED}


@pytest.mark.parametrize("path", SAVED, ids=[path.stem for path in SAVED])
async def test_history_replays(path: Path) -> None:
    workflow_id = json.loads(path.read_text())["events"][0]["workflowExecutionStartedEventAttributes"].get("workflowId", path.stem)
    history = WorkflowHistory.from_json(workflow_id, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)
