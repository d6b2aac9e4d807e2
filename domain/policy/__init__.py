"""The refund policy as pure, deterministic functions: plain data in, a decision with its clause out.

Safe in Temporal workflow code (no I/O, clock, randomness or settings) except `settlement_window`,
which depends on the installed `holidays` data: call that one from an activity.
"""

from domain.policy.amounts import FULL_REFUND_REASONS, validate_amount
from domain.policy.approvals import (
    CANCEL_ROLES,
    CANCELLABLE_STATUSES,
    DECIDING_ROLES,
    FAILURE_ROLES,
    ApprovalRecord,
    Decision,
    DecisionCheck,
    after_failure,
    check_cancel,
    check_confirm_settlement,
    check_decision,
    check_manual_payout_against_stripe,
    check_resolve_failure,
)
from domain.policy.assessment import PolicyAssessment, RefundPath, assess_request
from domain.policy.checks import ActionCheck, RefusalCode
from domain.policy.clauses import CLAUSES, POLICY_VERSION, RuleCode, clause
from domain.policy.errors import PolicyInputError, RefundAmountError
from domain.policy.facts import OrderFacts, OtherPayment, RefundRequestFacts
from domain.policy.parameters import PolicyParameters
from domain.policy.recorded_contact import unrecorded_contact
from domain.policy.settlement import (
    SettlementWindow,
    add_business_days,
    check_holiday_calendar,
    is_business_day,
    settlement_window,
    settles_at,
)
from domain.policy.transitions import (
    INVESTIGATION_ROLES,
    TROUBLESHOOTING_ROLES,
    Transition,
    after_investigation,
    after_troubleshooting,
    check_investigation,
    check_troubleshooting,
)

__all__ = [
    "CANCELLABLE_STATUSES",
    "CANCEL_ROLES",
    "CLAUSES",
    "DECIDING_ROLES",
    "FAILURE_ROLES",
    "FULL_REFUND_REASONS",
    "INVESTIGATION_ROLES",
    "POLICY_VERSION",
    "TROUBLESHOOTING_ROLES",
    "ActionCheck",
    "ApprovalRecord",
    "Decision",
    "DecisionCheck",
    "OrderFacts",
    "OtherPayment",
    "PolicyAssessment",
    "PolicyInputError",
    "PolicyParameters",
    "RefundAmountError",
    "RefundPath",
    "RefundRequestFacts",
    "RefusalCode",
    "RuleCode",
    "SettlementWindow",
    "Transition",
    "add_business_days",
    "after_failure",
    "after_investigation",
    "after_troubleshooting",
    "assess_request",
    "check_cancel",
    "check_confirm_settlement",
    "check_decision",
    "check_holiday_calendar",
    "check_investigation",
    "check_manual_payout_against_stripe",
    "check_resolve_failure",
    "check_troubleshooting",
    "clause",
    "is_business_day",
    "settlement_window",
    "settles_at",
    "unrecorded_contact",
    "validate_amount",
]
