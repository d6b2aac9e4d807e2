"""The policy's decision in one sentence a support agent or approver reads: what happens, and why."""

from __future__ import annotations

from collections.abc import Sequence

from domain.policy.clauses import RuleCode
from domain.policy.paths import RefundPath

_WHAT_HAPPENS = {
    RefundPath.AUTO_APPROVE: "Approved automatically",
    RefundPath.APPROVAL: "Waits for an approver",
    RefundPath.TROUBLESHOOTING: "Support troubleshoots first; it is refunded only if the problem cannot be fixed",
    RefundPath.UNAUTHORIZED_INVESTIGATION: (
        "Investigated first; it is refunded only if the unauthorized transaction is confirmed"
    ),
    RefundPath.REJECT: "Rejected",
}


# Clauses that state when the policy refunds; quoted after a rejection, they say which condition was not met.
_REFUND_CONDITIONS = {
    RuleCode.TECHNICAL_ISSUE,
    RuleCode.DUPLICATE_OR_ORDER_ERROR,
    RuleCode.UNAUTHORIZED_TRANSACTION,
}
# Clauses that list what the policy does not refund.
_EXCLUSIONS = {
    RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE,
    RuleCode.NOT_COVERED_THIRD_PARTY_APP,
    RuleCode.NOT_COVERED_PERSONAL_PREFERENCE,
    RuleCode.NOT_COVERED_TEMPORARY_OUTAGE,
    RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME,
}


def _quoted(rule: RuleCode, clause: str) -> str:
    """The clause behind a rejection, introduced as what it is."""
    if rule in _REFUND_CONDITIONS:
        return f'The policy refunds this case only when: "{clause}".'
    if rule in _EXCLUSIONS:
        return f'The policy does not refund: "{clause}".'
    return f'The policy says: "{clause}"'


def decision_in_words(
    path: RefundPath | str, rule: RuleCode | str, evidence: Sequence[str], clause: str, needs_person: str | None
) -> str:
    """'Rejected: customer contacted us 456 h after paying (...). The policy refunds this case only when: "..."'.

    `evidence` is the assessment's: its first line restates the amount and order, the rest are the rule's findings.
    """
    path = RefundPath(path)
    why = needs_person if path is RefundPath.APPROVAL and needs_person else "; ".join(evidence[1:])
    sentence = f"{_WHAT_HAPPENS[path]}: {why}." if why else f"{_WHAT_HAPPENS[path]}."
    if path is RefundPath.REJECT:
        sentence += " " + _quoted(RuleCode(rule), clause)
    return sentence
