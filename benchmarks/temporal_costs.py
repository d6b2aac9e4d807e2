"""Count what a workflow history costs: Temporal Cloud billable actions and history events."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
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
# The marker the SDK records for a local activity; patch markers (`core_patch`) are not billed.
LOCAL_ACTIVITY_MARKER = "core_local_activity"
# Temporal Cloud exempts the search attribute that `workflow.patched` maintains from action counting.
CHANGE_VERSION_ATTRIBUTE = "TemporalChangeVersion"


def billable_actions(history: WorkflowHistory) -> int:
    """Start, activities (and retries), timers, signals, updates, upserts, one per task that ran local activities."""
    actions = 0
    tasks_with_local_activities: set[int] = set()
    last_task_completed = 0
    for event in history.events:
        if event.event_type in ONE_ACTION_EACH and not _only_change_version(event):
            actions += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_task_completed = event.event_id
        elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = event.marker_recorded_event_attributes
            if marker.marker_name == LOCAL_ACTIVITY_MARKER:
                tasks_with_local_activities.add(marker.workflow_task_completed_event_id or last_task_completed)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions += max(0, event.activity_task_started_event_attributes.attempt - 1)  # retries bill too
    return actions + len(tasks_with_local_activities)


def _only_change_version(event: HistoryEvent) -> bool:
    """An upsert that sets nothing but the patch bookkeeping attribute (exempt from billing)."""
    if event.event_type != EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        return False
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return set(fields) == {CHANGE_VERSION_ATTRIBUTE}
