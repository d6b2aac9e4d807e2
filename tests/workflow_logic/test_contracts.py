"""The names the workflows call, the worker's real activities and these tests' fakes are the same names."""

from __future__ import annotations

from typing import Any, cast

from logic_support import Fakes
from temporalio import activity

from activities import ActivityDependencies, main_queue_activities, stripe_queue_activities
from workflows.contracts.dispute import DisputeReadModel, DisputeStripeCalls
from workflows.contracts.refund import RefundReadModel, RefundStripeCalls


def names(functions: list[Any]) -> set[str]:
    """The registered activity names of these callables."""
    return {str(activity._Definition.must_from_callable(fn).name) for fn in functions}  # noqa: SLF001


def contract_names() -> set[str]:
    """Every activity a workflow contract declares."""
    members = [
        getattr(cls, name)
        for cls in (RefundReadModel, RefundStripeCalls, DisputeReadModel, DisputeStripeCalls)
        for name in vars(cls)
        if not name.startswith("_")
    ]
    return names(members)


def test_the_worker_registers_exactly_the_contracts_activities() -> None:
    deps = ActivityDependencies(settings=cast(Any, None), database=cast(Any, None), stripe=cast(Any, None))
    assert names(main_queue_activities(deps) + stripe_queue_activities(deps)) == contract_names()


def test_the_fakes_stand_in_for_every_contract_activity() -> None:
    assert names(Fakes().activities()) == contract_names()
