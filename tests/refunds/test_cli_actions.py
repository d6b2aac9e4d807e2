"""Every staff action from the CLI too: troubleshooting, investigation, cancel, failures, customers and disputes."""

from __future__ import annotations

from cli_support import ok, refund_id_in, refunds
from refund_support import RefundStack

FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card a moment after they succeed


async def test_troubleshooting_that_fails_goes_to_an_approver_and_a_withdrawn_refund_is_cancelled(
    stack: RefundStack,
) -> None:
    order = await stack.paid_order(activated=True)
    refund_id = refund_id_in(ok(await refunds(stack, "request", order["order_id"], "technical_issue")))
    await stack.wait_for_status(refund_id, "investigating")
    step = ok(await refunds(stack, "troubleshoot", refund_id, "unresolved", "--note", "reinstalled; still fails"))
    assert step.strip() == f"Refund {refund_id}: awaiting_approval"
    cancelled = ok(await refunds(stack, "cancel", refund_id, "--note", "customer found a fix"))
    assert cancelled.strip() == f"Refund {refund_id}: cancelled"
    refund = await stack.wait_for_status(refund_id, "cancelled")
    assert [e["note"] for e in refund["timeline"] if e["kind"] in ("troubleshooting", "cancelled")][-1] == (
        "customer found a fix"
    )


async def test_an_approver_confirms_an_unauthorized_transaction_and_the_requester_may_not(stack: RefundStack) -> None:
    order = await stack.paid_order(activated=True)
    refund_id = refund_id_in(ok(await refunds(stack, "request", order["order_id"], "unauthorized_transaction")))
    await stack.wait_for_status(refund_id, "investigating")
    own = await refunds(stack, "investigate", refund_id, "confirmed")
    assert own.exit_code == 1 and own.stderr.startswith("error: ")
    found = ok(
        await refunds(
            stack, "investigate", refund_id, "confirmed", "--note", "card reported stolen", token="dev-approver-1"
        )
    )
    assert found.strip() == f"Refund {refund_id}: awaiting_approval"
    ok(await refunds(stack, "approve", refund_id, token="dev-approver-2"))
    assert (await stack.wait_for_status(refund_id, "settling"))["stripe_refund_id"].startswith("re_")


async def test_finance_pays_a_failed_refund_by_hand_from_the_cli(stack: RefundStack) -> None:
    order = await stack.paid_order(card=FAILING_CARD)
    refund_id = refund_id_in(ok(await refunds(stack, "request", order["order_id"], "not_activated")))
    await stack.wait_for_status(refund_id, "failed", timeout=20)
    missing = await refunds(stack, "resolve-failure", refund_id, "manual_payout", token="dev-finance-1")
    assert missing.exit_code == 1 and "reference" in missing.stderr
    paid = ok(
        await refunds(
            stack, "resolve-failure", refund_id, "manual_payout", "--reference", "SEPA-77", token="dev-finance-1"
        )
    )
    assert paid.strip() == f"Refund {refund_id}: settled"
    assert (await stack.wait_for_status(refund_id, "settled"))["resolution"] == "manual payout SEPA-77"


async def test_support_reads_orders_and_customers_and_records_a_contact(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=11988, plan_months=12)
    shown = ok(await refunds(stack, "order", "show", order["order_id"]))
    assert f"Order {order['order_id']}" in shown and "119.88 EUR" in shown and "12 months" in shown
    assert "not yet (no activation details sent)" in shown
    contact = ok(
        await refunds(stack, "customer", "contact", order["customer_id"], "email", "--note", "asked about the refund")
    )
    assert contact.startswith(f"Contact recorded for {order['customer_id']}: email on ")
    customer = ok(await refunds(stack, "customer", "show", order["customer_id"]))
    assert "Restriction  none" in customer and order["order_id"] in customer
    not_admin = await refunds(stack, "customer", "lift-restriction", order["customer_id"], "--note", "ok")
    assert not_admin.exit_code == 1 and not_admin.stderr.startswith("error: ")


async def test_finance_follows_and_answers_a_dispute_from_the_cli(disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute_id = (await disputes.dispute_of(order["payment_intent_id"]))["dispute_id"]
    listed = ok(await refunds(disputes, "dispute", "list", token="dev-finance-1"))
    assert dispute_id in listed and order["order_id"] in listed
    shown = ok(await refunds(disputes, "dispute", "show", dispute_id, token="dev-finance-1"))
    assert shown.startswith(f"Dispute {dispute_id}: ") and "no: access suspended" in shown and "Timeline" in shown
    sent = ok(
        await refunds(disputes, "dispute", "submit", dispute_id, "--text", "logs attached", token="dev-finance-1")
    )
    assert "Your evidence was accepted and is being sent to Stripe now" in sent
    support = await refunds(disputes, "dispute", "list")
    assert support.exit_code == 1 and support.stderr.startswith("error: ")
