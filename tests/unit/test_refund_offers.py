"""What the refund page offers each person: the workflow's own policy checks, asked before the action is sent."""

from __future__ import annotations

from domain.roles import Actor, Role
from services.refund_offers import offers_for
from store.refund_tables import Refund
from store.types import utcnow

ANA = Actor(actor_id="stf_ana_support", name="ana", roles=(Role.SUPPORT,), person_id="per_ana")
ANA_APPROVER = Actor(actor_id="stf_ana_approver", name="ana-approver", roles=(Role.APPROVER,), person_id="per_ana")
BEA = Actor(actor_id="stf_bea", name="bea", roles=(Role.APPROVER,), person_id="per_bea")
FIN = Actor(actor_id="stf_fin", name="fin", roles=(Role.FINANCE,), person_id="per_fin")


def refund(status: str, reason: str = "wrong_plan", path: str = "approval", approvals: list | None = None) -> Refund:
    """A refund row as the workflow publishes it, requested by Ana's support record."""
    now = utcnow()
    return Refund(
        refund_id="rf_offer",
        workflow_id="refund-rf_offer",
        order_id="ord-offer",
        customer_id="cus-offer",
        reason=reason,
        status=status,
        amount_minor=2500,
        currency="eur",
        requested_by_id=ANA.actor_id,
        requested_by_name=ANA.name,
        requested_at=now,
        customer_contacted_at=now,
        request_fingerprint="x",
        decision_path=path,
        approvals=approvals or [],
        workflow_input={"requester": ANA.model_dump(mode="json")},
    )


def keys(offers) -> dict[str, bool]:
    """Each offer's key and whether it is allowed."""
    return {offer.key: offer.allowed for offer in offers}


def test_the_requesters_other_record_is_told_someone_else_must_decide() -> None:
    [refusal, cancel] = offers_for(refund("awaiting_approval"), ANA_APPROVER)
    assert (refusal.key, refusal.allowed) == ("approve", False)
    assert refusal.message == "You requested this refund, so someone else must approve or reject it."
    assert (cancel.key, cancel.allowed) == ("cancel", True)


def test_another_approver_may_approve_reject_or_cancel() -> None:
    assert keys(offers_for(refund("awaiting_approval"), BEA)) == {"approve": True, "reject": True, "cancel": True}


def test_support_troubleshoots_a_technical_issue_and_finance_resolves_failures() -> None:
    investigating = refund("investigating", reason="technical_issue", path="troubleshooting")
    assert keys(offers_for(investigating, ANA)) == {"troubleshooting": True, "cancel": True}
    assert keys(offers_for(refund("failed", path="auto_approve"), FIN)) == {"resolve-failure": True}
    assert keys(offers_for(refund("settling", path="auto_approve"), FIN)) == {"confirm-settlement": True}
    assert offers_for(refund("settled", path="auto_approve"), BEA) == []
