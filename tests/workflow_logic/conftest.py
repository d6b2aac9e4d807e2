"""The fast workflow tests' fixture: both workflows on the dev server with fake activities."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from logic_support import Fakes, Logic
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from worker.build import WORKFLOWS


@pytest.fixture
async def logic(temporal_env: WorkflowEnvironment) -> AsyncIterator[Logic]:
    """The real workflows and the fake activities on a fresh task queue."""
    fakes = Fakes()
    task_queue = f"logic-{uuid.uuid4().hex[:8]}"
    async with Worker(temporal_env.client, task_queue=task_queue, workflows=WORKFLOWS, activities=fakes.activities()):
        yield Logic(env=temporal_env, task_queue=task_queue, fakes=fakes)
