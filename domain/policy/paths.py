"""The routes a refund request can take, and the status each one starts in."""

from enum import StrEnum

from domain.refunds import RefundStatus


class RefundPath(StrEnum):
    """The route a refund request takes after assessment."""

    AUTO_APPROVE = "auto_approve"
    APPROVAL = "approval"
    TROUBLESHOOTING = "troubleshooting"
    UNAUTHORIZED_INVESTIGATION = "unauthorized_investigation"
    REJECT = "reject"


INITIAL_STATUS = {
    RefundPath.AUTO_APPROVE: RefundStatus.APPROVED,
    RefundPath.APPROVAL: RefundStatus.AWAITING_APPROVAL,
    RefundPath.TROUBLESHOOTING: RefundStatus.INVESTIGATING,
    RefundPath.UNAUTHORIZED_INVESTIGATION: RefundStatus.INVESTIGATING,
    RefundPath.REJECT: RefundStatus.REJECTED,
}
