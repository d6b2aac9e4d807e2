"""The refund workflow: one per refund, from support's request to money settled, never paying twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.money import major_units
    from domain.orders import OrderStatus, paid_order_status
    from domain.policy import (
        ApprovalRecord,
        Decision,
        DecisionCheck,
        PolicyInputError,
        RefundPath,
        assess_request,
        check_cancel,
        check_confirm_settlement,
        check_decision,
        check_investigation,
        check_manual_payout_against_stripe,
        check_resolve_failure,
        check_troubleshooting,
        settles_at,
    )
    from domain.policy.checks import ActionCheck, RefusalCode
    from domain.policy.formatting import format_duration
    from domain.policy.settlement import SettlementWindow
    from domain.refund_messages import (
        ApprovalGiven,
        CancelRequest,
        ComputeSettlement,
        CreateStripeRefund,
        DecisionRequest,
        DisputeOpened,
        FailureResolution,
        FetchStripeRefund,
        FindStripeRefunds,
        InvestigationRecord,
        Notification,
        PublishRefund,
        RefundInput,
        RefundOutcome,
        RefundState,
        SettlementConfirmation,
        StripeRefundEvent,
        StripeRefundsFound,
        StripeRefundSnapshot,
        TimelineEntry,
        TroubleshootingRecord,
        refund_workflow_id,
    )
    from domain.refunds import FailureAction, RefundStatus
    from domain.roles import SYSTEM_ACTOR, Actor, Role, SystemRole
    from domain.stripe_errors import OUTCOME_UNKNOWN
    from domain.stripe_lookup import active_refund, refund_to_adopt
    from workflows import search_attributes as sa
    from workflows.activity_options import READ_MODEL, STRIPE_RETRY
    from workflows.contracts.refund import DISPUTE_OPENED_SIGNAL, RefundReadModel, RefundStripeCalls

MAX_REMEMBERED_EVENTS = 200
# Command-sequence changes, each behind its patch so histories recorded before them replay unchanged.
UNKNOWN_OUTCOME_LOOKED_UP = "unknown-stripe-outcome-is-looked-up"
RETRY_CHECKS_STRIPE_FIRST = "finance-retry-checks-stripe-first"
PAYOUT_CHECKS_STRIPE_FIRST = "manual-payout-checks-stripe-first"
# Checked at a refund's first Stripe call: refunds begun with it are verified before settling; refunds past their first
# call at deploy get SETTLEMENT_VERIFIED. (The TemporalChangeVersion upsert a patch makes is not a billed action.)
VERIFIED_REFUND = "refund-verified-with-stripe"
SETTLEMENT_VERIFIED = "settlement-verified-with-stripe"


def _refused_by_stripe(error: ActivityError) -> bool:
    """Whether the activity failed on a definite answer from Stripe (it raises only those non-retryable)."""
    cause = error.cause
    return isinstance(cause, ApplicationError) and cause.non_retryable and cause.type != OUTCOME_UNKNOWN


# What a timeline entry's detail may hold (TimelineEntry.detail); a Mapping so narrower dicts are accepted.
Detail = Mapping[str, str | int | bool | None]


def _refuse_unless(check: ActionCheck) -> None:
    """Raise in an update validator, so a refused action is never recorded in history."""
    if not check.allowed:
        raise ApplicationError(check.message, type=str(check.refusal or RefusalCode.WRONG_STATE), non_retryable=True)


@workflow.defn(name="RefundWorkflow")
class RefundWorkflow:
    """Assess, investigate, approve, refund through Stripe, wait out settlement: each step audited."""

    @workflow.init
    def __init__(self, input: RefundInput) -> None:
        self._input = input
        self._state = RefundState(
            refund_id=input.refund_id,
            workflow_id=refund_workflow_id(input.refund_id),
            order_id=input.order.order_id,
            customer_id=input.order.customer_id,
            reason=input.request.reason.value,
            status=RefundStatus.RECEIVED,
            amount_minor=input.request.amount_minor or input.order.remaining_minor,
            currency=input.order.currency,
            requested_by=input.requester,
            requested_at=workflow.now(),
            customer_contacted_at=input.request.customer_contacted_at,
            legal_basis=input.request.legal_basis,
            params=input.params,
        )
        self._path: RefundPath | None = None
        self._published = 0
        self._notifications: list[Notification] = []
        self._order_status: OrderStatus | None = None
        self._seen_events: list[str] = []
        self._sync_requested = False
        self._stripe_call_due = False
        self._payout_check_running = False
        self._verified_refund = False
        self._paying_refund_found: StripeRefundSnapshot | None = None
        self._indexed_status: RefundStatus | None = RefundStatus.RECEIVED
        self._record("requested", input.requester, note=input.note, detail={"amount_minor": self._state.amount_minor})
        self._notifications.append(Notification.RECEIVED)

    @workflow.run
    async def run(self, input: RefundInput) -> RefundOutcome:
        """Drive the refund through its statuses until it ends."""
        self._assess()
        phases: dict[RefundStatus, Callable[[], Awaitable[None]]] = {
            RefundStatus.INVESTIGATING: self._investigation_phase,
            RefundStatus.AWAITING_APPROVAL: self._approval_phase,
            RefundStatus.APPROVED: self._start_refund,
            RefundStatus.REFUNDING: self._refunding_phase,
            RefundStatus.SETTLING: self._settlement_phase,
            RefundStatus.FAILED: self._failure_phase,
        }
        while not self._state.status.is_terminal:
            # Phases publish before they wait, so steps taken in one go reach the read model in one write.
            await phases[self._state.status]()
        await self._publish()
        # Let update handlers that already ran return their answer before the workflow closes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return RefundOutcome(
            refund_id=self._state.refund_id,
            status=self._state.status,
            stripe_refund_id=self._state.stripe_refund_id,
            amount_minor=self._state.amount_minor,
            currency=self._state.currency,
        )

    # ---- queries, updates and signals ----

    @workflow.query
    def state(self) -> RefundState:
        """The refund's full current state, timeline included."""
        return self._state

    @workflow.update
    def approve(self, request: DecisionRequest) -> RefundState:
        """Record an approval; the last one required sends the refund to Stripe."""
        check = self._decision_check(request, Decision.APPROVE)
        assert check.acting_as is not None  # every allowed decision names the role it counts as
        self._state.approvals.append(
            ApprovalGiven(actor=request.actor, acting_as=check.acting_as, at=workflow.now(), note=request.note)
        )
        if check.fully_approved:
            self._set(RefundStatus.APPROVED, "approved", request.actor, note=request.note)
            self._notifications.append(Notification.APPROVED)
        else:
            self._record(
                "approval_recorded", request.actor, note=request.note, detail={"approvals": len(self._state.approvals)}
            )
        return self._state

    @approve.validator
    def _validate_approve(self, request: DecisionRequest) -> None:
        self._decision_check(request, Decision.APPROVE)

    @workflow.update
    def reject(self, request: DecisionRequest) -> RefundState:
        """Reject the refund; the customer is told."""
        self._set(RefundStatus.REJECTED, "rejected", request.actor, note=request.note)
        self._notifications.append(Notification.REJECTED)
        return self._state

    @reject.validator
    def _validate_reject(self, request: DecisionRequest) -> None:
        self._decision_check(request, Decision.REJECT)

    @workflow.update
    def record_troubleshooting(self, record: TroubleshootingRecord) -> RefundState:
        """Record a troubleshooting step; the policy's transition says where it leads (in_progress stays)."""
        check = self._troubleshooting_check(record)
        detail = {"outcome": record.outcome.value} | check.citation()
        if check.next_status is None or check.next_status is self._state.status:
            self._record("troubleshooting", record.actor, note=record.note, detail=detail)
        else:
            self._set(check.next_status, "troubleshooting", record.actor, note=record.note, detail=detail)
        return self._state

    @record_troubleshooting.validator
    def _validate_troubleshooting(self, record: TroubleshootingRecord) -> None:
        self._troubleshooting_check(record)

    @workflow.update
    def record_investigation(self, record: InvestigationRecord) -> RefundState:
        """Record an approver's finding on an unauthorized-transaction claim."""
        check = self._investigation_check(record)
        assert check.next_status is not None
        detail = {"finding": record.finding.value} | check.citation()
        self._set(check.next_status, "investigation", record.actor, note=record.note, detail=detail)
        if check.next_status is RefundStatus.REJECTED:
            self._notifications.append(Notification.REJECTED)
        return self._state

    @record_investigation.validator
    def _validate_investigation(self, record: InvestigationRecord) -> None:
        self._investigation_check(record)

    @workflow.update
    def cancel(self, request: CancelRequest) -> RefundState:
        """Withdraw the request; only possible before Stripe is called."""
        self._set(RefundStatus.CANCELLED, "cancelled", request.actor, note=request.note)
        self._notifications.append(Notification.CANCELLED)
        return self._state

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        _refuse_unless(check_cancel(self._state.status, self._state.stripe_called, request.actor.roles))

    @workflow.update
    async def resolve_failure(self, resolution: FailureResolution) -> RefundState:
        """Finance retries a failed refund via Stripe (asked first), or records the manual payout that settled it."""
        detail = {"action": resolution.action.value, "reference": resolution.reference}
        if resolution.action is FailureAction.MANUAL_PAYOUT and workflow.patched(PAYOUT_CHECKS_STRIPE_FIRST):
            await self._refuse_payout_while_stripe_pays()
        if self._resolve_failure_check(resolution).next_status is RefundStatus.REFUNDING:
            self._state.failure_reason = None
            self._stripe_call_due = True
            self._set(RefundStatus.REFUNDING, "failure_resolved", resolution.actor, detail=detail)
        else:
            self._state.resolution = f"manual payout {resolution.reference}"
            self._state.settled_at = workflow.now()
            if self._is_full_refund():
                self._order_status = OrderStatus.REFUNDED  # paid out by hand, but paid all the same: access ends
            note = f"paid to the customer by hand (reference {resolution.reference})"
            self._set(RefundStatus.SETTLED, "failure_resolved", resolution.actor, note=note, detail=detail)
            # The customer was told the refund failed; now they learn it was paid. Only the publish input changes.
            self._notifications.append(Notification.PAID_BY_HAND)
        return self._state

    @resolve_failure.validator
    def _validate_resolve_failure(self, resolution: FailureResolution) -> None:
        self._resolve_failure_check(resolution)
        if self._payout_check_running or self._paying_refund_found is not None:
            raise ApplicationError(
                "Stripe is being asked about this refund for finance's previous action; try again in a moment.",
                type=RefusalCode.WRONG_STATE.value,
                non_retryable=True,
            )

    async def _refuse_payout_while_stripe_pays(self) -> None:
        """Ask Stripe before recording a manual payout: a refund of ours still paying is followed, payout refused."""
        self._payout_check_running = True
        try:
            paying = active_refund((await self._find_stripe_refunds()).refunds)
        finally:
            self._payout_check_running = False
        if self._state.status is not RefundStatus.FAILED:
            raise ApplicationError(
                f"This refund became '{self._state.status}' while Stripe was asked; no manual payout was recorded.",
                type=RefusalCode.WRONG_STATE.value,
                non_retryable=True,
            )
        check = check_manual_payout_against_stripe(
            paying.stripe_refund_id if paying else None, paying.status if paying else None
        )
        if not check.allowed:
            self._paying_refund_found = paying  # the failure phase follows it (handlers should not drive phases)
        _refuse_unless(check)

    @workflow.update
    def confirm_settlement(self, confirmation: SettlementConfirmation) -> RefundState:
        """Finance saw the money on the customer's side, or the customer says it arrived: settle before the window."""
        self._state.settled_at = workflow.now()
        self._set(RefundStatus.SETTLED, "settlement_confirmed", confirmation.actor, note=confirmation.note)
        return self._state

    @confirm_settlement.validator
    def _validate_confirm_settlement(self, confirmation: SettlementConfirmation) -> None:
        actor = confirmation.actor
        _refuse_unless(check_confirm_settlement(self._state.status, actor.roles, by_customer=actor.is_customer))

    @workflow.signal
    def stripe_refund_event(self, event: StripeRefundEvent) -> None:
        """A webhook about our Stripe refund: remembered once, then the refund is re-read from Stripe."""
        if event.event_id in self._seen_events:
            return
        self._seen_events = (self._seen_events + [event.event_id])[-MAX_REMEMBERED_EVENTS:]
        if event.stripe_refund_id == self._state.stripe_refund_id:
            self._sync_requested = True

    @workflow.signal(name=DISPUTE_OPENED_SIGNAL)
    def dispute_opened(self, dispute: DisputeOpened) -> None:
        """A chargeback on this payment: stop before Stripe is called, or link it for finance."""
        if self._state.dispute_id == dispute.dispute_id:
            return
        self._state.dispute_id = dispute.dispute_id
        detail = {"dispute_id": dispute.dispute_id}
        if not self._state.stripe_called and not self._state.status.is_terminal:
            # Stripe refuses refunds of disputed charges, and the dispute may already return the money.
            self._set(
                RefundStatus.CANCELLED,
                "cancelled_by_dispute",
                SYSTEM_ACTOR,
                note="a chargeback was opened on this payment",
                detail=detail,
            )
        else:
            self._record("dispute_linked", SYSTEM_ACTOR, note="a chargeback was opened on this payment", detail=detail)

    # ---- phases ----

    def _assess(self) -> None:
        """Apply the policy to the request: reject, investigate, ask for approval or approve."""
        if self._state.status is not RefundStatus.RECEIVED:
            return  # a signal in the first task (a chargeback) already ended it: never assess it back to life
        try:
            assessment = assess_request(
                self._input.request, self._input.order, self._input.other_payments, self._input.params
            )
        except PolicyInputError as error:
            self._set(RefundStatus.REJECTED, "assessed", SYSTEM_ACTOR, note=error.message, detail={"rule": error.code})
            self._notifications.append(Notification.REJECTED)
            return
        self._path = assessment.path
        self._state.assessment = assessment
        self._state.amount_minor = assessment.amount_minor
        self._state.approvals_required = self._input.params.approvals_required(assessment.amount_minor)
        detail = {
            "rule": assessment.rule.value,
            "path": assessment.path.value,
            "verified": assessment.verified,
            "policy_version": assessment.policy_version,
        }
        # Only when set, so the entries of refunds assessed before these facts existed read as they did.
        if assessment.needs_person:
            detail["needs_person"] = assessment.needs_person
        if assessment.earlier_rejected_refund_ids:
            detail["earlier_rejected_refund_ids"] = ", ".join(assessment.earlier_rejected_refund_ids)
        if assessment.path is RefundPath.AUTO_APPROVE:
            self._state.approvals.append(
                ApprovalGiven(
                    actor=SYSTEM_ACTOR, acting_as=SystemRole.SYSTEM, at=workflow.now(), note="verified automatically"
                )
            )
            self._set(RefundStatus.APPROVED, "assessed", SYSTEM_ACTOR, note=assessment.clause, detail=detail)
            self._notifications.append(Notification.APPROVED)
        else:
            self._set(assessment.initial_status, "assessed", SYSTEM_ACTOR, note=assessment.clause, detail=detail)
            if assessment.path is RefundPath.REJECT:
                self._notifications.append(Notification.REJECTED)

    async def _investigation_phase(self) -> None:
        """Wait for troubleshooting or an investigation finding; escalate troubleshooting left undecided."""
        deadline = workflow.now() + self._input.params.troubleshooting_escalate_after
        left_investigating = lambda: self._state.status is not RefundStatus.INVESTIGATING  # noqa: E731
        if await self._wait(left_investigating, until=deadline):
            return
        if self._path is RefundPath.TROUBLESHOOTING:
            self._state.escalated = True
            self._set(
                RefundStatus.AWAITING_APPROVAL,
                "escalated",
                SYSTEM_ACTOR,
                note=(
                    "troubleshooting undecided after "
                    f"{format_duration(self._input.params.troubleshooting_escalate_after)}; an approver decides"
                ),
            )
            return
        if not self._state.escalated:
            self._state.escalated = True
            self._record("escalated", SYSTEM_ACTOR, note="investigation still open; approvers reminded")
        await self._wait(left_investigating)

    async def _approval_phase(self) -> None:
        """Wait for approvers; remind (escalate) after a while, expire after the limit."""
        params = self._input.params
        started = workflow.now()
        decided = lambda: self._state.status is not RefundStatus.AWAITING_APPROVAL  # noqa: E731
        if await self._wait(decided, until=started + params.approval_reminder_after):
            return
        self._state.escalated = True
        self._record(
            "escalated",
            SYSTEM_ACTOR,
            note=f"no decision after {format_duration(params.approval_reminder_after)}; approvers reminded",
        )
        await self._publish()
        if await self._wait(decided, until=started + params.approval_expires_after):
            return
        self._set(
            RefundStatus.EXPIRED,
            "expired",
            SYSTEM_ACTOR,
            note=f"no decision within {format_duration(params.approval_expires_after)}",
        )
        self._notifications.append(Notification.EXPIRED)

    async def _start_refund(self) -> None:
        """Approved: from here the refund can no longer be cancelled."""
        self._stripe_call_due = True
        self._set(RefundStatus.REFUNDING, "refund_started", SYSTEM_ACTOR)

    async def _refunding_phase(self) -> None:
        """Call Stripe once per attempt, then follow the refund until Stripe says succeeded or failed."""
        if self._stripe_call_due:
            self._stripe_call_due = False
            if self._state.stripe_attempt > 0 and workflow.patched(RETRY_CHECKS_STRIPE_FIRST):
                # Finance's retry: a refund of ours already paying (say, made after we stopped waiting) is followed,
                # not doubled.
                paying = active_refund((await self._find_stripe_refunds()).refunds)
                if paying is not None:
                    await self._adopt(
                        paying, "found before retrying: Stripe already holds a refund paying the customer"
                    )
                    return
            self._state.stripe_called = True
            self._state.stripe_attempt += 1
            first_call = self._state.stripe_attempt == 1
            if first_call:
                self._verified_refund = workflow.patched(VERIFIED_REFUND)
            await self._publish()  # the audit trail shows the approval before any money moves
            snapshot = await self._create_stripe_refund()
            if snapshot is not None:
                await self._apply_stripe(snapshot, "stripe_refund_created")
            return
        # Pending at Stripe: a webhook wakes us; if none comes, we ask Stripe ourselves.
        await self._wait(lambda: self._sync_requested, until=workflow.now() + self._input.runtime.status_poll_interval)
        await self._sync_from_stripe()

    async def _settlement_phase(self) -> None:
        """Wait out the business-day window; a late failure or finance's confirmation ends it early."""
        window = self._state.settlement
        assert window is not None
        due = settles_at(window)
        while self._state.status is RefundStatus.SETTLING:
            woke = await self._wait(
                lambda: self._sync_requested or self._state.status is not RefundStatus.SETTLING, until=due
            )
            if not woke:
                if self._verified_refund or workflow.patched(SETTLEMENT_VERIFIED):
                    await self._apply_stripe(await self._recheck_stripe_refund(), "stripe_status")
                    if self._state.status is not RefundStatus.SETTLING:
                        return  # Stripe failed it late and no webhook reached us: finance has it again
                # Settled as of the window's end (the timer itself may fire a moment after midnight).
                self._state.settled_at = due
                self._set(RefundStatus.SETTLED, "settled", SYSTEM_ACTOR, note="the settlement window ended")
                return
            if self._sync_requested:
                await self._sync_from_stripe()

    async def _failure_phase(self) -> None:
        """Failed: finance retries or records a manual payout; until then the refund stays open."""
        await self._wait(lambda: self._state.status is not RefundStatus.FAILED or self._paying_refund_found is not None)
        if self._paying_refund_found is not None:
            paying, self._paying_refund_found = self._paying_refund_found, None
            await self._adopt(
                paying, "found while finance recorded a manual payout: the customer is paid through Stripe"
            )

    # ---- Stripe ----

    async def _create_stripe_refund(self) -> StripeRefundSnapshot | None:
        """The one Stripe call that moves money; permanent refusals fail the refund for finance."""
        runtime = self._input.runtime
        try:
            return await workflow.execute_activity_method(
                RefundStripeCalls.create_stripe_refund,
                CreateStripeRefund(
                    refund_id=self._state.refund_id,
                    attempt=self._state.stripe_attempt,
                    payment_intent_id=self._input.order.payment_intent_id or "",
                    amount_minor=self._state.amount_minor,
                    currency=self._state.currency,
                    reason=self._state.reason,
                    order_id=self._state.order_id,
                ),
                task_queue=runtime.stripe_task_queue,
                start_to_close_timeout=runtime.stripe_call_timeout,
                schedule_to_close_timeout=runtime.stripe_retry_window,
                retry_policy=STRIPE_RETRY,
                summary="Create the Stripe refund",
            )
        except ActivityError as error:
            if not _refused_by_stripe(error) and workflow.patched(UNKNOWN_OUTCOME_LOOKED_UP):
                return await self._resolve_unknown_outcome(error)
            cause = error.cause
            code = cause.type if isinstance(cause, ApplicationError) and cause.type else "stripe_error"
            message = cause.message if isinstance(cause, ApplicationError) else str(error)
            self._state.failure_reason = f"{code}: {message}"
            self._set(RefundStatus.FAILED, "stripe_refund_refused", SYSTEM_ACTOR, note=message, detail={"code": code})
            self._notifications.append(Notification.FAILED)
            return None

    async def _resolve_unknown_outcome(self, error: ActivityError) -> StripeRefundSnapshot | None:
        """The create stopped without an answer (retry window spent, timeouts): Stripe's records decide, not a guess."""
        found = refund_to_adopt((await self._find_stripe_refunds()).refunds, self._state.stripe_attempt)
        cause = error.cause
        what = cause.message if isinstance(cause, ApplicationError) else str(cause or error)
        if found is not None:
            self._record(
                "stripe_outcome_found",
                SYSTEM_ACTOR,
                note=f"the Stripe call ended without an answer (last error {what}); Stripe holds the refund",
                detail={"stripe_refund_id": found.stripe_refund_id},
            )
            return found
        window = format_duration(self._input.runtime.stripe_retry_window)
        message = (
            f"Stripe did not complete the refund within {window} (last error {what}) "
            "and holds no refund for it: no money moved."
        )
        self._state.failure_reason = f"stripe_unreachable: {message}"
        self._set(
            RefundStatus.FAILED,
            "stripe_refund_refused",
            SYSTEM_ACTOR,
            note=message,
            detail={"code": "stripe_unreachable"},
        )
        self._notifications.append(Notification.FAILED)
        return None

    async def _find_stripe_refunds(self) -> StripeRefundsFound:
        """Every Stripe refund carrying our refund id, asked until Stripe answers (the lookup never gives up)."""
        return await workflow.execute_activity_method(
            RefundStripeCalls.find_stripe_refunds,
            FindStripeRefunds(
                refund_id=self._state.refund_id, payment_intent_id=self._input.order.payment_intent_id or ""
            ),
            task_queue=self._input.runtime.stripe_task_queue,
            start_to_close_timeout=self._input.runtime.stripe_call_timeout,
            retry_policy=STRIPE_RETRY,
            summary="Look up our refunds at Stripe",
        )

    async def _recheck_stripe_refund(self) -> StripeRefundSnapshot:
        """Re-read the refund before it is recorded settled: trust the webhooks, verify the one irreversible step.

        Cadence: webhooks are the check during the window (the API acknowledges one only once the workflow has it, and
        Stripe retries an unacknowledged one for days), and the poll covers a pending refund. The moment a missed
        `refund.failed` does lasting harm is `settled`, so that is where we read Stripe ourselves. It runs as a local
        activity in the workflow task of the final publish, billed as one action with it, so a straight-through refund
        stays within budget; a timer-driven re-read mid-window would add two actions to every refund to catch what the
        webhook already delivers. It is one GET per refund (reads have their own Stripe limit, and a 429 backs off and
        retries), which is why it may bypass the rate-limited Stripe task queue that paces our writes.
        """
        assert self._state.stripe_refund_id is not None
        return await workflow.execute_local_activity_method(
            RefundStripeCalls.fetch_stripe_refund,
            FetchStripeRefund(stripe_refund_id=self._state.stripe_refund_id),
            start_to_close_timeout=self._input.runtime.stripe_call_timeout,
            retry_policy=STRIPE_RETRY,
            summary="Verify the Stripe refund before settling",
        )

    async def _adopt(self, snapshot: StripeRefundSnapshot, why: str) -> None:
        """Follow a refund of ours that Stripe holds: back to refunding, then wherever Stripe says it is."""
        self._state.failure_reason = None
        self._state.stripe_called = True
        detail = {
            "stripe_refund_id": snapshot.stripe_refund_id,
            "stripe_status": snapshot.status,
            "attempt": snapshot.attempt,
        }
        self._set(RefundStatus.REFUNDING, "stripe_refund_adopted", SYSTEM_ACTOR, note=why, detail=detail)
        await self._apply_stripe(snapshot, "stripe_status")

    async def _sync_from_stripe(self) -> None:
        """Re-read the refund from Stripe: webhooks can be late, repeated or out of order."""
        self._sync_requested = False
        if not self._state.stripe_refund_id:
            return
        snapshot = await workflow.execute_activity_method(
            RefundStripeCalls.fetch_stripe_refund,
            FetchStripeRefund(stripe_refund_id=self._state.stripe_refund_id),
            task_queue=self._input.runtime.stripe_task_queue,
            start_to_close_timeout=self._input.runtime.stripe_call_timeout,
            retry_policy=STRIPE_RETRY,
            summary="Re-read the Stripe refund",
        )
        await self._apply_stripe(snapshot, "stripe_status")

    async def _apply_stripe(self, snapshot: StripeRefundSnapshot, kind: str) -> None:
        """Move the refund to what Stripe reports: succeeded starts settlement, failed goes to finance."""
        changed = (
            snapshot.status != self._state.stripe_status or snapshot.stripe_refund_id != self._state.stripe_refund_id
        )
        self._state.stripe_refund_id = snapshot.stripe_refund_id
        self._state.stripe_status = snapshot.status
        detail = {"stripe_refund_id": snapshot.stripe_refund_id, "stripe_status": snapshot.status}
        status = self._state.status
        if snapshot.status == "succeeded" and status is RefundStatus.REFUNDING:
            self._state.succeeded_at = workflow.now()
            self._state.settlement = await self._settlement_window(self._state.succeeded_at)
            window = self._state.settlement
            detail |= {"expected_from": window.expected_from.isoformat(), "expected_by": window.expected_by.isoformat()}
            if self._is_full_refund():
                self._order_status = OrderStatus.REFUNDED  # a full refund ends the customer's access
            self._set(RefundStatus.SETTLING, kind, SYSTEM_ACTOR, detail=detail)
            self._notifications.append(Notification.ISSUED)
        elif snapshot.status in ("failed", "canceled") and status in (RefundStatus.REFUNDING, RefundStatus.SETTLING):
            self._state.failure_reason = snapshot.failure_reason or snapshot.status
            if self._order_status is OrderStatus.REFUNDED:
                # The money did not reach the customer after all: the order is back where it was.
                self._order_status = paid_order_status(self._input.order.activated_at is not None)
            self._set(
                RefundStatus.FAILED,
                kind,
                SYSTEM_ACTOR,
                note=f"Stripe reports the refund {snapshot.status}: {self._state.failure_reason}",
                detail=detail,
            )
            self._notifications.append(Notification.FAILED)
        elif changed:
            self._record(kind, SYSTEM_ACTOR, detail=detail)

    async def _settlement_window(self, succeeded_at: datetime) -> SettlementWindow:
        """Computed in a local activity: holiday calendars change between package versions, history must not."""
        return await workflow.execute_local_activity_method(
            RefundReadModel.compute_settlement_window,
            ComputeSettlement(succeeded_at=succeeded_at, params=self._input.params),
            **READ_MODEL,
        )

    # ---- bookkeeping ----

    async def _wait(self, done: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for `done` (True) or `until` (False), writing the read model whenever a handler changed it."""
        if not done():
            await self._publish()
        while not done():
            remaining = None if until is None else until - workflow.now()
            if remaining is not None and remaining <= timedelta(0):
                return False
            try:
                await workflow.wait_condition(lambda: done() or self._unpublished(), timeout=remaining)
            except TimeoutError:
                return done()
            if not done():
                await self._publish()
        return True

    def _unpublished(self) -> bool:
        """Whether the read model is behind the workflow."""
        return self._published < len(self._state.timeline) or bool(self._notifications)

    async def _publish(self) -> None:
        """Write state, new audit entries and customer emails in one local activity; keep search attributes current."""
        if not self._unpublished():
            return
        new_entries = self._state.timeline[self._published :]
        notifications, self._notifications = self._notifications, []
        await workflow.execute_local_activity_method(
            RefundReadModel.publish_refund,
            PublishRefund(
                state=self._state.model_copy(update={"timeline": []}),
                new_entries=new_entries,
                notifications=notifications,
                order_status=self._order_status,
            ),
            **READ_MODEL,
        )
        self._published += len(new_entries)
        self._index()

    def _index(self) -> None:
        """Upsert search attributes only when the status changed (each upsert is a billable action)."""
        if self._state.status is self._indexed_status:
            return
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.REFUND_STATUS.value_set(self._state.status.value),
            sa.REFUND_AMOUNT.value_set(self._state.amount_minor),
        ]
        if self._state.settlement is not None:
            updates.append(sa.SETTLEMENT_DUE_BY.value_set(settles_at(self._state.settlement)))
        workflow.upsert_search_attributes(updates)
        self._indexed_status = self._state.status
        workflow.set_current_details(self._details())

    def _details(self) -> str:
        """Markdown shown in the Web UI's current details."""
        s = self._state
        lines = [
            f"**{s.status.value}** · {major_units(s.amount_minor, s.currency)} {s.currency.upper()}"
            f" · order `{s.order_id}` · reason `{s.reason}`"
        ]
        if s.stripe_refund_id:
            lines.append(f"Stripe refund `{s.stripe_refund_id}` ({s.stripe_status})")
        if s.settlement:
            lines.append(f"Expected on the statement {s.settlement.expected_from} to {s.settlement.expected_by}")
        if s.failure_reason:
            lines.append(f"Failure: {s.failure_reason}")
        return "\n\n".join(lines)

    def _set(
        self, status: RefundStatus, kind: str, actor: Actor, *, note: str | None = None, detail: Detail | None = None
    ) -> None:
        """Change status and record the step."""
        self._state.status = status
        # Refunds by status, exported with the worker's SDK metrics (the SDK drops it during replay).
        workflow.metric_meter().create_counter("refund_status_transitions", "Refunds entering each status").add(
            1, {"status": status.value}
        )
        workflow.logger.info("refund status changed", extra={"status": status.value, "step": kind, "actor": actor.name})
        self._record(kind, actor, note=note, detail=detail)

    def _record(self, kind: str, actor: Actor, *, note: str | None = None, detail: Detail | None = None) -> None:
        """Append an audit entry stamped with workflow time."""
        self._state.timeline.append(
            TimelineEntry(
                seq=len(self._state.timeline) + 1,
                at=workflow.now(),
                kind=kind,
                status=self._state.status,
                actor=actor,
                note=note,
                detail=dict(detail or {}),
            )
        )

    def _decision_check(self, request: DecisionRequest, decision: Decision) -> DecisionCheck:
        """The policy's answer to an approve/reject, raised as a refusal when not allowed."""
        # Separation of duties is per person: one person's support and approver records are still one person.
        check = check_decision(
            request.actor.person,
            request.actor.roles,
            self._state.requested_by.person,
            self._state.status,
            [
                ApprovalRecord(actor_id=a.actor.person, acting_as=Role(a.acting_as), at=a.at)
                for a in self._human_approvals()
            ],
            self._state.amount_minor,
            self._input.params,
            decision,
        )
        _refuse_unless(check)
        return check

    def _is_full_refund(self) -> bool:
        """Whether this refund returns everything left on the order."""
        return self._input.order.fully_refunded_by(self._state.amount_minor)

    def _human_approvals(self) -> list[ApprovalGiven]:
        """Approvals given by people (the system's automatic approval is not one)."""
        return [a for a in self._state.approvals if a.acting_as is not SystemRole.SYSTEM]

    def _investigation_check(self, record: InvestigationRecord) -> ActionCheck:
        """The policy's answer to an investigation finding."""
        check = check_investigation(
            self._state.status,
            self._path or RefundPath.APPROVAL,
            record.finding,
            record.actor.person,
            record.actor.roles,
            self._state.requested_by.person,
            self._state.legal_basis,
        )
        _refuse_unless(check)
        return check

    def _troubleshooting_check(self, record: TroubleshootingRecord) -> ActionCheck:
        """The policy's answer to a troubleshooting outcome, with the transition it leads to."""
        check = check_troubleshooting(
            self._state.status, self._path or RefundPath.APPROVAL, record.outcome, record.actor.roles
        )
        _refuse_unless(check)
        return check

    def _resolve_failure_check(self, resolution: FailureResolution) -> ActionCheck:
        """The policy's answer to finance's resolution of a failed refund (retry: refunding, payout: settled)."""
        check = check_resolve_failure(
            self._state.status, resolution.action, resolution.actor.roles, resolution.reference
        )
        _refuse_unless(check)
        return check
