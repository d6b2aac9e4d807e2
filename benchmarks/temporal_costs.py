"""Count what a workflow history costs: Temporal Cloud billable actions and history events."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

# Each of these events is one billable action (https://docs.temporal.io/cloud/actions).
ONE_ACTION_EACH = frozenset(
    {
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
        EventType.EVENT_TYPE_TIMER_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    }
)


def billable_actions(history: WorkflowHistory) -> int:
    """Start, activities (and their retries), timers, signals, updates, upserts, and one per task that ran local activities."""
    actions = 0
    tasks_with_local_activities: set[int] = set()
    last_task_completed = 0
    for event in history.events:
        if event.event_type in ONE_ACTION_EACH:
            actions += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_task_completed = event.event_id
        elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            tasks_with_local_activities.add(event.marker_recorded_event_attributes.workflow_task_completed_event_id or last_task_completed)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions += max(0, event.activity_task_started_event_attributes.attempt - 1)  # retries bill too
    return actions + len(tasks_with_local_activities)
