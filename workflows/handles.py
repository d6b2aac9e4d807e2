"""Typed handles on the workflows for their callers (services), so nobody spells a workflow's name or id."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle

from domain.dispute_messages import DisputeState, dispute_workflow_id
from domain.refund_messages import RefundOutcome, refund_workflow_id
from workflows.dispute import DisputeWorkflow
from workflows.refund import RefundWorkflow


def refund_handle(client: Client, refund_id: str) -> WorkflowHandle[RefundWorkflow, RefundOutcome]:
    """The refund's workflow."""
    return client.get_workflow_handle_for(RefundWorkflow.run, refund_workflow_id(refund_id))


def dispute_handle(client: Client, dispute_id: str) -> WorkflowHandle[DisputeWorkflow, DisputeState]:
    """The dispute's workflow."""
    return client.get_workflow_handle_for(DisputeWorkflow.run, dispute_workflow_id(dispute_id))
