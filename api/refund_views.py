"""Build refund responses from the read model or from the workflow's own state."""

from __future__ import annotations

from api.refund_schemas import (
    ApprovalPublic,
    PolicyDecisionPublic,
    RefundDetail,
    SettlementPublic,
    TimelineEntryPublic,
)
from core.settings import Settings
from domain.policy import PolicyAssessment
from domain.policy.decision_words import decision_in_words
from domain.refund_messages import RefundState
from store.refund_tables import Refund, RefundEvent


def workflow_url(settings: Settings, workflow_id: str) -> str:
    """Where an engineer sees this workflow's history in the Temporal Web UI."""
    return f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"


def decision_from_row(refund: Refund) -> PolicyDecisionPublic | None:
    """The policy decision the workflow published, or None before its first write."""
    if not refund.decision_rule:
        return None
    return PolicyDecisionPublic(
        summary=decision_in_words(
            refund.decision_path or "",
            refund.decision_rule,
            refund.decision_evidence,
            refund.decision_clause or "",
            refund.decision_needs_person,
        ),
        path=refund.decision_path or "",
        rule=refund.decision_rule,
        clause=refund.decision_clause or "",
        verified=refund.decision_verified,
        evidence=list(refund.decision_evidence),
        policy_version=refund.policy_version or "",
        legal_basis=refund.legal_basis,
        needs_person=refund.decision_needs_person,
    )


def decision_from_assessment(assessment: PolicyAssessment) -> PolicyDecisionPublic:
    """The policy decision as the assessment made it."""
    return PolicyDecisionPublic(
        summary=decision_in_words(
            assessment.path, assessment.rule, assessment.evidence, assessment.clause, assessment.needs_person
        ),
        path=assessment.path.value,
        rule=assessment.rule.value,
        clause=assessment.clause,
        verified=assessment.verified,
        evidence=list(assessment.evidence),
        policy_version=assessment.policy_version,
        legal_basis=assessment.legal_basis,
        needs_person=assessment.needs_person,
    )


def detail_from_row(settings: Settings, refund: Refund, events: list[RefundEvent]) -> RefundDetail:
    """A refund as the read model holds it."""
    decision = decision_from_row(refund)
    return RefundDetail(
        **_summary_fields(refund),
        workflow_id=refund.workflow_id,
        workflow_url=workflow_url(settings, refund.workflow_id),
        requested_by=refund.requested_by_name,
        customer_contacted_at=refund.customer_contacted_at,
        earlier_rejected_refund_ids=refund.earlier_rejected_refund_ids or [],
        note=refund.note,
        legal_basis=refund.legal_basis,
        policy_decision=decision,
        policy_parameters=refund.policy_parameters,
        approvals=[
            ApprovalPublic(
                actor_id=a["actor"]["actor_id"],
                actor_name=a["actor"]["name"],
                acting_as=a["acting_as"],
                at=a["at"],
                note=a.get("note"),
            )
            for a in refund.approvals
        ],
        approvals_required=refund.approvals_required,
        escalated=refund.escalated,
        stripe_status=refund.stripe_status,
        failure_reason=refund.failure_reason,
        succeeded_at=refund.succeeded_at,
        settlement=SettlementPublic(expected_from=refund.expected_from, expected_by=refund.expected_by)
        if refund.expected_from and refund.expected_by
        else None,
        settled_at=refund.settled_at,
        resolution=refund.resolution,
        dispute_id=refund.dispute_id,
        attention_reason=refund.attention_reason,
        timeline=[
            TimelineEntryPublic(
                seq=e.seq,
                at=e.at,
                kind=e.kind,
                status=e.status,
                actor_id=e.actor_id,
                actor_name=e.actor_name,
                note=e.note,
                detail=e.detail,
            )
            for e in events
        ],
    )


def detail_from_state(settings: Settings, row: Refund, state: RefundState) -> RefundDetail:
    """A refund as the workflow just answered an update (fresher than the read model)."""
    assessment = state.assessment
    return RefundDetail(
        **(
            _summary_fields(row)
            | {
                "status": state.status.value,
                "amount_minor": state.amount_minor,
                "stripe_refund_id": state.stripe_refund_id,
            }
        ),
        workflow_id=state.workflow_id,
        workflow_url=workflow_url(settings, state.workflow_id),
        requested_by=state.requested_by.name,
        customer_contacted_at=state.customer_contacted_at,
        earlier_rejected_refund_ids=row.earlier_rejected_refund_ids or [],
        note=row.note,
        legal_basis=state.legal_basis,
        policy_decision=decision_from_assessment(assessment) if assessment else None,
        policy_parameters=state.params.model_dump(mode="json"),
        approvals=[
            ApprovalPublic(
                actor_id=a.actor.actor_id, actor_name=a.actor.name, acting_as=a.acting_as, at=a.at, note=a.note
            )
            for a in state.approvals
        ],
        approvals_required=state.approvals_required,
        escalated=state.escalated,
        stripe_status=state.stripe_status,
        failure_reason=state.failure_reason,
        succeeded_at=state.succeeded_at,
        settlement=SettlementPublic(
            expected_from=state.settlement.expected_from, expected_by=state.settlement.expected_by
        )
        if state.settlement
        else None,
        settled_at=state.settled_at,
        resolution=state.resolution,
        dispute_id=state.dispute_id,
        timeline=[
            TimelineEntryPublic(
                seq=e.seq,
                at=e.at,
                kind=e.kind,
                status=e.status.value,
                actor_id=e.actor.actor_id,
                actor_name=e.actor.name,
                note=e.note,
                detail=e.detail,
            )
            for e in state.timeline
        ],
    )


def _summary_fields(refund: Refund) -> dict:
    """The list-row fields of a refund."""
    return {
        "refund_id": refund.refund_id,
        "order_id": refund.order_id,
        "customer_id": refund.customer_id,
        "reason": refund.reason,
        "status": refund.status,
        "amount_minor": refund.amount_minor,
        "currency": refund.currency,
        "stripe_refund_id": refund.stripe_refund_id,
        "needs_attention": refund.needs_attention,
        "requested_at": refund.requested_at,
        "updated_at": refund.updated_at,
    }
