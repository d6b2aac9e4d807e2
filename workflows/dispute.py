"""The dispute workflow, one per Stripe dispute: applies chargeback policy, submits evidence, follows the outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.dispute_messages import (
        DisputeActionRequest,
        DisputeContext,
        DisputeEvent,
        DisputeEvidenceSubmission,
        DisputeInput,
        DisputeState,
        DisputeTimelineEntry,
        FinanceDisputeAction,
        OrderEffect,
        PublishDispute,
        dispute_workflow_id,
    )
    from domain.disputes import (
        DisputeStatus,
        build_evidence,
        check_dispute_action,
        decide_prior_contact,
        evidence_submission_time,
        newer_status,
    )
    from domain.money import major_units
    from domain.policy.clauses import POLICY_VERSION
    from domain.refund_messages import DisputeOpened, refund_workflow_id
    from domain.roles import SYSTEM_ACTOR, Actor
    from workflows import search_attributes as sa
    from workflows.activity_options import READ_MODEL, STRIPE_RETRY
    from workflows.contracts.dispute import DISPUTE_EVENT_SIGNAL, DisputeReadModel, DisputeStripeCalls

from workflows.refund import RefundWorkflow

MAX_REMEMBERED_EVENTS = 100


@workflow.defn(name="DisputeWorkflow")
class DisputeWorkflow:
    """Prior contact decides suspension; evidence goes in before the deadline; the outcome settles the orders."""

    @workflow.init
    def __init__(self, input: DisputeInput) -> None:
        self._input = input
        snapshot = input.dispute
        self._state = DisputeState(
            dispute_id=snapshot.dispute_id,
            workflow_id=dispute_workflow_id(snapshot.dispute_id),
            snapshot=snapshot,
            status=snapshot.status,
        )
        self._context = DisputeContext()
        self._effects = OrderEffect()
        self._seen_events: list[str] = []
        self._finance_action: tuple[str, FinanceDisputeAction] | None = None
        self._published = 0
        self._indexed: tuple[DisputeStatus, str | None] = (snapshot.status, None)
        self._record(
            "opened",
            SYSTEM_ACTOR,
            note=f"{snapshot.reason} dispute of {_money(snapshot.amount_minor, snapshot.currency)}",
        )

    @workflow.run
    async def run(self, input: DisputeInput) -> DisputeState:
        """Decide, act on our records, submit evidence, wait for the bank's outcome."""
        await self._apply_policy()
        if self._state.status.awaits_evidence and self._state.snapshot.due_by is not None:
            await self._evidence_phase()
        await self._wait_until(lambda: self._state.status.is_closed)
        self._apply_outcome()
        await self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    # ---- queries, updates, signals ----

    @workflow.query
    def state(self) -> DisputeState:
        """The dispute's full current state."""
        return self._state

    @workflow.update
    def submit_evidence(self, action: FinanceDisputeAction) -> DisputeState:
        """Finance submits the evidence now (optionally with its own free text)."""
        self._finance_action = ("submit", action)
        self._record("evidence_requested", action.actor, note="finance asked to submit the evidence now")
        return self._state

    @submit_evidence.validator
    def _validate_submit(self, action: FinanceDisputeAction) -> None:
        self._check_finance_action(action.actor)

    @workflow.update
    def accept(self, action: FinanceDisputeAction) -> DisputeState:
        """Finance accepts the dispute: no evidence, the chargeback stands."""
        self._finance_action = ("accept", action)
        self._record("accept_requested", action.actor, note="finance accepted the dispute")
        return self._state

    @accept.validator
    def _validate_accept(self, action: FinanceDisputeAction) -> None:
        self._check_finance_action(action.actor)

    @workflow.signal(name=DISPUTE_EVENT_SIGNAL)
    def dispute_event(self, event: DisputeEvent) -> None:
        """A charge.dispute.* webhook: the later status wins, whatever order events arrive in."""
        if event.event_id in self._seen_events:
            return
        self._seen_events = (self._seen_events + [event.event_id])[-MAX_REMEMBERED_EVENTS:]
        status = newer_status(self._state.status, event.dispute.status)
        if event.dispute.due_by is not None:
            self._state.snapshot = self._state.snapshot.model_copy(update={"due_by": event.dispute.due_by})
        if status is not self._state.status:
            self._state.status = status
            self._record(
                "stripe_status", SYSTEM_ACTOR, note=f"Stripe reports the dispute {status.value} ({event.event_type})"
            )

    # ---- steps ----

    async def _apply_policy(self) -> None:
        """Prior contact or not: suspend and restrict, stop refunds not yet paid, link those already paid."""
        context = await workflow.execute_local_activity_method(
            DisputeReadModel.load_dispute_context, self._state.snapshot, **READ_MODEL
        )
        self._context = context
        self._state.customer_id = context.customer_id
        self._state.order_ids = list(context.order_ids)
        self._state.refund_ids = sorted(set(context.open_refund_ids) | set(context.paid_refund_ids))
        decision = decide_prior_contact(self._state.snapshot.opened_at, context.contacts)
        self._state.decision = decision
        if not context.order_ids:
            self._record("no_order", SYSTEM_ACTOR, note="no order of ours was paid by this payment")
        elif decision.prior_contact:
            self._record("prior_contact", SYSTEM_ACTOR, note="; ".join(decision.evidence))
        else:
            self._state.suspended = True
            reason = f"chargeback {self._state.dispute_id} opened without contacting support first"
            self._effects = OrderEffect(
                suspend_order_ids=context.order_ids, restrict_customer_id=context.customer_id, reason=reason
            )
            self._record("suspended", SYSTEM_ACTOR, note=decision.clause)
        opened = DisputeOpened(dispute_id=self._state.dispute_id, opened_at=self._state.snapshot.opened_at)
        for refund_id in context.open_refund_ids:
            try:
                await workflow.get_external_workflow_handle_for(
                    RefundWorkflow.run, refund_workflow_id(refund_id)
                ).signal(RefundWorkflow.dispute_opened, opened)
            except Exception as error:  # the refund ended meanwhile: nothing to stop
                workflow.logger.info(
                    "refund workflow not signalled", extra={"refund_id": refund_id, "error": str(error)}
                )
            self._record("refund_notified", SYSTEM_ACTOR, note=f"refund {refund_id} told of the dispute")
        await self._publish()

    async def _evidence_phase(self) -> None:
        """Submit evidence a configurable time before the deadline, unless finance submits or accepts first."""
        due_by = self._state.snapshot.due_by
        assert due_by is not None
        submit_at = evidence_submission_time(due_by, self._input.evidence_lead_time, workflow.now())
        self._state.evidence_due_at = submit_at
        self._record(
            "evidence_scheduled",
            SYSTEM_ACTOR,
            note=f"evidence goes to Stripe at {submit_at.isoformat()} unless finance acts first",
        )
        await self._wait_until(
            lambda: self._finance_action is not None or not self._state.status.awaits_evidence, until=submit_at
        )
        if not self._state.status.awaits_evidence:
            return
        kind, action = self._finance_action or ("submit", None)
        actor = action.actor if action else SYSTEM_ACTOR
        if kind == "accept":
            status = await self._stripe(
                DisputeStripeCalls.accept_dispute,
                DisputeActionRequest(dispute_id=self._state.dispute_id),
                "Accept the dispute",
            )
            self._state.status = newer_status(self._state.status, status)
            self._record("accepted", actor, note="the dispute was accepted; no evidence submitted")
            return
        evidence = build_evidence(
            self._context.orders, self._context.contacts, POLICY_VERSION, action.uncategorized_text if action else None
        )
        submission = DisputeEvidenceSubmission(dispute_id=self._state.dispute_id, evidence=evidence)
        status = await self._stripe(DisputeStripeCalls.submit_dispute_evidence, submission, "Submit dispute evidence")
        self._state.status = newer_status(self._state.status, status)
        self._state.evidence_submitted_at = workflow.now()
        self._record("evidence_submitted", actor, note=f"submitted: {', '.join(sorted(evidence))}")

    def _apply_outcome(self) -> None:
        """Won: access comes back, the restriction stays until an admin lifts it. Lost: orders charged back."""
        status = self._state.status
        self._state.outcome = status.value
        reason = f"chargeback {self._state.dispute_id} {status.value}"
        if status is DisputeStatus.LOST:
            self._effects = OrderEffect(charged_back_order_ids=self._state.order_ids, reason=reason)
            self._record("charged_back", SYSTEM_ACTOR, note="the bank decided for the customer; access stays off")
        elif self._state.suspended:
            self._effects = OrderEffect(reinstate_order_ids=self._state.order_ids, reason=reason)
            self._record(
                "reinstated",
                SYSTEM_ACTOR,
                note="subscriptions reinstated; the order restriction stays until an admin lifts it",
            )
        else:
            self._record("closed", SYSTEM_ACTOR, note=f"the dispute closed {status.value}")

    # ---- bookkeeping ----

    async def _stripe(
        self, activity: Callable[[Any, Any], DisputeStatus], argument: Any, summary: str
    ) -> DisputeStatus:
        """A Stripe call on the rate-limited queue."""
        return await workflow.execute_activity_method(
            activity,
            argument,
            task_queue=self._input.stripe_task_queue,
            start_to_close_timeout=self._input.stripe_call_timeout,
            retry_policy=STRIPE_RETRY,
            summary=summary,
        )

    async def _wait_until(self, done: Callable[[], bool], until: datetime | None = None) -> None:
        """Wait for `done` or `until`, publishing what handlers recorded meanwhile."""
        while not done():
            await self._publish()
            remaining = None if until is None else until - workflow.now()
            if remaining is not None and remaining <= timedelta(0):
                return
            try:
                await workflow.wait_condition(
                    lambda: done() or self._published < len(self._state.timeline), timeout=remaining
                )
            except TimeoutError:
                return

    async def _publish(self) -> None:
        """Write state and effects in one local activity; keep the DisputeStatus search attribute current."""
        if self._published == len(self._state.timeline):
            return
        effects, self._effects = self._effects, OrderEffect()
        await workflow.execute_local_activity_method(
            DisputeReadModel.publish_dispute, PublishDispute(state=self._state, effects=effects), **READ_MODEL
        )
        self._published = len(self._state.timeline)
        indexed = (self._state.status, self._state.customer_id)
        if indexed != self._indexed:
            # One upsert (one billable action) carries every attribute that changed.
            updates = [sa.DISPUTE_STATUS.value_set(self._state.status.value)]
            if self._state.customer_id:
                updates.append(sa.CUSTOMER_ID.value_set(self._state.customer_id))
            if self._state.order_ids:
                updates.append(sa.ORDER_ID.value_set(self._state.order_ids[0]))
            workflow.upsert_search_attributes(updates)
            self._indexed = indexed

    def _record(self, kind: str, actor: Actor, *, note: str | None = None) -> None:
        """Append a timeline entry stamped with workflow time."""
        self._state.timeline.append(
            DisputeTimelineEntry(
                seq=len(self._state.timeline) + 1,
                at=workflow.now(),
                kind=kind,
                status=self._state.status.value,
                actor=actor,
                note=note,
            )
        )

    def _check_finance_action(self, actor: Actor) -> None:
        """Finance (or admin) may submit or accept once, while evidence is still awaited (domain.disputes decides)."""
        check = check_dispute_action(self._state.status, self._finance_action is not None, actor.roles)
        if not check.allowed:
            raise ApplicationError(check.message, type=str(check.refusal), non_retryable=True)


def _money(amount_minor: int, currency: str) -> str:
    """'19.99 EUR', as people read amounts."""
    return f"{major_units(amount_minor, currency)} {currency.upper()}"
