"""The refund policy's clauses, quoted verbatim, each under a stable rule code."""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

# The policy's "Last updated" date (December 5, 2025); recorded with every decision.
POLICY_VERSION = "2025-12-05"


class RuleCode(StrEnum):
    """Stable identifier of one policy clause; stored with decisions, never renamed."""

    ACTIVATION_COUNTS_AS_USE = "activation_counts_as_use"
    TECHNICAL_ISSUE = "technical_issue"
    DUPLICATE_OR_ORDER_ERROR = "duplicate_or_order_error"
    UNAUTHORIZED_TRANSACTION = "unauthorized_transaction"
    NOT_COVERED_CONNECTION_OR_DEVICE = "not_covered.connection_or_device"
    NOT_COVERED_THIRD_PARTY_APP = "not_covered.third_party_app"
    NOT_COVERED_PERSONAL_PREFERENCE = "not_covered.personal_preference"
    NOT_COVERED_TEMPORARY_OUTAGE = "not_covered.temporary_outage"
    NO_PARTIAL_REFUND_UNUSED_TIME = "no_partial_refund_unused_time"
    LOCAL_CONSUMER_RIGHTS = "local_consumer_rights"
    ORIGINAL_PAYMENT_METHOD = "original_payment_method"
    PROCESSING_TIME = "processing_time"


CLAUSE_ACTIVATION_COUNTS_AS_USE = (
    'Because access is provided digitally and can be used immediately, services are considered "used" '
    "once the activation details have been created and sent to you."
)
CLAUSE_TECHNICAL_ISSUE = (
    "Technical issues we cannot resolve — a persistent problem that makes normal use impossible after "
    "reasonable troubleshooting"
)
CLAUSE_DUPLICATE_OR_ORDER_ERROR = (
    "Duplicate payment or order error — you accidentally paid twice or selected the wrong plan and "
    "notified us immediately"
)
CLAUSE_UNAUTHORIZED_TRANSACTION = (
    "Unauthorized transaction — your payment method was used without your authorization (subject to investigation)"
)
CLAUSE_NOT_COVERED_CONNECTION_OR_DEVICE = (
    "Internet or device problems on your side (slow connection, Wi-Fi issues, outdated hardware)"
)
CLAUSE_NOT_COVERED_THIRD_PARTY_APP = (
    "Third-party application changes (app store updates, device restrictions, OS limits)"
)
CLAUSE_NOT_COVERED_PERSONAL_PREFERENCE = (
    "Personal preference (changed your mind, dislike channel selection, or no longer need the service)"
)
CLAUSE_NOT_COVERED_TEMPORARY_OUTAGE = (
    "Temporary outages caused by maintenance or external providers resolved within a reasonable time"
)
CLAUSE_NO_PARTIAL_REFUND_UNUSED_TIME = (
    "No partial refund for unused time — we do not normally refund the remaining time if you stop "
    "using the service early"
)
CLAUSE_LOCAL_CONSUMER_RIGHTS = (
    "Depending on your country or region, you may have additional consumer rights under local law. "
    "Nothing in this policy is intended to limit or exclude any rights you may have under applicable "
    "consumer protection legislation."
)
CLAUSE_ORIGINAL_PAYMENT_METHOD = (
    "If a refund is approved, we will process it using the same payment method you used for the original purchase."
)
CLAUSE_PROCESSING_TIME = (
    "Timing depends on your bank or provider, but usually takes 3 to 10 business days to appear in your account."
)

CLAUSES: Mapping[RuleCode, str] = MappingProxyType(
    {
        RuleCode.ACTIVATION_COUNTS_AS_USE: CLAUSE_ACTIVATION_COUNTS_AS_USE,
        RuleCode.TECHNICAL_ISSUE: CLAUSE_TECHNICAL_ISSUE,
        RuleCode.DUPLICATE_OR_ORDER_ERROR: CLAUSE_DUPLICATE_OR_ORDER_ERROR,
        RuleCode.UNAUTHORIZED_TRANSACTION: CLAUSE_UNAUTHORIZED_TRANSACTION,
        RuleCode.NOT_COVERED_CONNECTION_OR_DEVICE: CLAUSE_NOT_COVERED_CONNECTION_OR_DEVICE,
        RuleCode.NOT_COVERED_THIRD_PARTY_APP: CLAUSE_NOT_COVERED_THIRD_PARTY_APP,
        RuleCode.NOT_COVERED_PERSONAL_PREFERENCE: CLAUSE_NOT_COVERED_PERSONAL_PREFERENCE,
        RuleCode.NOT_COVERED_TEMPORARY_OUTAGE: CLAUSE_NOT_COVERED_TEMPORARY_OUTAGE,
        RuleCode.NO_PARTIAL_REFUND_UNUSED_TIME: CLAUSE_NO_PARTIAL_REFUND_UNUSED_TIME,
        RuleCode.LOCAL_CONSUMER_RIGHTS: CLAUSE_LOCAL_CONSUMER_RIGHTS,
        RuleCode.ORIGINAL_PAYMENT_METHOD: CLAUSE_ORIGINAL_PAYMENT_METHOD,
        RuleCode.PROCESSING_TIME: CLAUSE_PROCESSING_TIME,
    }
)


def clause(rule: RuleCode) -> str:
    """The verbatim policy text for a rule code."""
    return CLAUSES[rule]
