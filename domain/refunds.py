"""Refund vocabulary: reasons a request carries, statuses a refund moves through, recorded outcomes."""

from enum import StrEnum


class RefundReason(StrEnum):
    """Why the customer asks for a refund; each maps to one policy line."""

    NOT_ACTIVATED = "not_activated"
    DUPLICATE_PAYMENT = "duplicate_payment"
    WRONG_PLAN = "wrong_plan"
    TECHNICAL_ISSUE = "technical_issue"
    UNAUTHORIZED_TRANSACTION = "unauthorized_transaction"
    CONNECTION_OR_DEVICE = "connection_or_device"
    THIRD_PARTY_APP = "third_party_app"
    CHANGED_MIND = "changed_mind"
    TEMPORARY_OUTAGE = "temporary_outage"
    UNUSED_TIME = "unused_time"


class RefundStatus(StrEnum):
    """Where a refund stands, from the support agent's request to money on the statement."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"  # troubleshooting (technical_issue) or fraud investigation
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"  # approved, Stripe not called yet: still cancellable
    REFUNDING = "refunding"  # the Stripe call was made
    SETTLING = "settling"  # Stripe reported succeeded; waiting out the bank's business-day window
    SETTLED = "settled"
    REJECTED = "rejected"
    RESOLVED = "resolved"  # troubleshooting fixed the problem: ended without a refund
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # nobody decided within the approval time
    FAILED = "failed"  # Stripe failed the refund; finance retries or records a manual payout

    @property
    def is_terminal(self) -> bool:
        """True when nothing further happens to this refund."""
        return self in TERMINAL_STATUSES

    @property
    def is_open(self) -> bool:
        """True while the refund blocks a new refund on the same order (includes `failed`)."""
        return self not in TERMINAL_STATUSES

    @property
    def counts_toward_refunded(self) -> bool:
        """True when this refund's amount is part of the order's "refunded so far" (see REFUNDED_SO_FAR)."""
        return self in REFUNDED_SO_FAR


# `failed` is deliberately NOT terminal: the money is still owed and finance will either retry the
# Stripe refund or record a manual payout. Until then a second refund on the order could pay twice,
# so a failed refund stays open and keeps blocking new refunds on its order.
TERMINAL_STATUSES: frozenset[RefundStatus] = frozenset(
    {
        RefundStatus.SETTLED,
        RefundStatus.REJECTED,
        RefundStatus.RESOLVED,
        RefundStatus.CANCELLED,
        RefundStatus.EXPIRED,
    }
)
OPEN_STATUSES: frozenset[RefundStatus] = frozenset(RefundStatus) - TERMINAL_STATUSES


class TroubleshootingOutcome(StrEnum):
    """What support records after a troubleshooting step on a technical issue."""

    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"


class InvestigationFinding(StrEnum):
    """What an approver records after investigating an unauthorized-transaction claim."""

    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"


class FailureAction(StrEnum):
    """How finance resolves a refund that Stripe failed."""

    RETRY = "retry"
    MANUAL_PAYOUT = "manual_payout"


# "Refunded so far" on an order, the one definition: every refund still open (its money may yet move, and a
# failed one is still owed) or settled. Policy facts, the duplicate-payment check, dispute links and full-refund
# detection all count these; "refundable now" is what was paid minus this sum (OrderFacts.remaining_minor).
REFUNDED_SO_FAR: frozenset[RefundStatus] = OPEN_STATUSES | {RefundStatus.SETTLED}
