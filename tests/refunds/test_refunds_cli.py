"""The `refunds` CLI against the real API: support requests, approvers decide, finance follows settlements."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cli_support import ok, refund_id_in, refunds
from refund_support import APPROVER, FINANCE, SUPPORT, RefundStack


async def api_detail(stack: RefundStack, path: str, headers: dict, body: dict | None = None) -> tuple[int, str]:
    """What the API itself answers to a request the CLI also makes."""
    response = (
        await stack.api.post(path, json=body or {}, headers=headers)
        if body is not None
        else await stack.api.get(path, headers=headers)
    )
    return response.status_code, response.json()["detail"]


async def test_support_requests_shows_and_lists_a_refund(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1999, currency="eur")
    out = ok(
        await refunds(
            stack,
            "request",
            order["order_id"],
            "not_activated",
            "--note",
            "codes never arrived [sic]",
            "--idempotency-key",
            "cli-req-1",
        )
    )
    refund_id = refund_id_in(out)
    assert f"Refund {refund_id} requested: " in out
    assert "Approved automatically: no activation details have been sent" in out and "(auto_approve, policy" in out
    again = ok(
        await refunds(
            stack,
            "request",
            order["order_id"],
            "not_activated",
            "--note",
            "codes never arrived [sic]",
            "--idempotency-key",
            "cli-req-1",
        )
    )
    assert f"Refund {refund_id} already requested with this key" in again

    refund = await stack.wait_for_status(refund_id, "settling")
    shown = ok(await refunds(stack, "show", refund_id))
    assert shown.startswith(f"Refund {refund_id}: settling\n")
    assert "19.99 EUR" in shown and order["order_id"] in shown and order["customer_id"] in shown
    assert refund["policy_decision"]["clause"] in shown
    assert f"{refund['stripe_refund_id']} (succeeded)" in shown
    assert f"{refund['settlement']['expected_from']} to {refund['settlement']['expected_by']}" in shown
    assert "automatic (verified automatically, " in shown
    timeline = shown[shown.index("Timeline") :]
    assert [
        kind for kind in ("requested", "assessed", "refund_started", "stripe_refund_created") if kind in timeline
    ] == ["requested", "assessed", "refund_started", "stripe_refund_created"]
    assert "codes never arrived [sic]" in timeline  # data is printed as is, never read as markup

    listed = ok(await refunds(stack, "list", "--order", order["order_id"]))
    [line] = [line for line in listed.splitlines() if refund_id in line]
    assert "settling" in line and "19.99 EUR" in line and "not_activated" in line
    assert "1-1 of 1 refunds" in listed
    assert (
        ok(await refunds(stack, "list", "--status", "settled", "--customer", order["customer_id"])).strip()
        == "No refunds match."
    )
    bad = await refunds(stack, "request", order["order_id"], "because")
    assert bad.exit_code == 2 and "'because' is not one of" in bad.stderr


async def test_approvers_decide_and_refusals_print_the_apis_message(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=3000)
    out = ok(await refunds(stack, "request", order["order_id"], "wrong_plan", "--amount", "12.00"))
    refund_id = refund_id_in(out)
    assert f"Refund {refund_id} requested: awaiting_approval" in out and "Waits for an approver: " in out
    await stack.wait_for_status(refund_id, "awaiting_approval")

    forbidden = await refunds(stack, "approve", refund_id)
    assert forbidden.exit_code == 1
    status, detail = await api_detail(stack, f"/refunds/{refund_id}/approve", SUPPORT, {})
    assert status == 403 and forbidden.stderr == f"error: {detail}\n"
    assert "your token has support" in detail

    approved = ok(
        await refunds(stack, "approve", refund_id, "--note", "customer meant the 1-month plan", token="dev-approver-1")
    )
    assert approved.strip() == f"Refund {refund_id}: approved (1 of 1 approvals given)"
    settling = await stack.wait_for_status(refund_id, "settling")
    assert settling["amount_minor"] == 1200 and settling["approvals"][0]["note"] == "customer meant the 1-month plan"

    conflict = await refunds(stack, "reject", refund_id, token="dev-approver-2")
    assert conflict.exit_code == 1
    status, detail = await api_detail(stack, f"/refunds/{refund_id}/reject", APPROVER, {})
    assert status == 409 and conflict.stderr == f"error: {detail}\n"

    other = await stack.paid_order()
    second = refund_id_in(ok(await refunds(stack, "request", other["order_id"], "wrong_plan")))
    await stack.wait_for_status(second, "awaiting_approval")
    rejected = ok(await refunds(stack, "reject", second, "--note", "plan was right", token="dev-approver-1"))
    assert rejected.strip() == f"Refund {second}: rejected; the customer is told"
    assert (await stack.wait_for_status(second, "rejected"))["timeline"][-1]["note"] == "plan was right"

    late = await stack.paid_order(paid_at=datetime.now(UTC) - timedelta(days=20))
    refused = ok(await refunds(stack, "request", late["order_id"], "wrong_plan"))
    # The decision and its reason in words, with the clause introduced as the condition that was not met.
    assert "requested: rejected" in refused and "Rejected: customer contacted us " in refused
    assert 'The policy refunds this case only when: "Duplicate payment or order error' in refused

    missing = await refunds(stack, "show", "rf_doesnotexist")
    assert missing.exit_code == 1 and missing.stderr == "error: no refund with id rf_doesnotexist\n"
    unknown = await refunds(stack, "list", token="not-a-token")
    assert unknown.exit_code == 1 and unknown.stderr == "error: unknown or revoked staff token\n"


async def test_finance_sees_settlements_with_totals_exports_csv_and_confirms(
    stack: RefundStack, tmp_path: Path
) -> None:
    ids = {}
    for currency, amount in (("eur", 1999), ("eur", 1001), ("usd", 4550)):
        order = await stack.paid_order(amount_minor=amount, currency=currency)
        created = await stack.request_refund(order["order_id"], "not_activated")
        assert created.status_code == 201, created.text
        ids[created.json()["refund_id"]] = (currency, amount)
    await asyncio.gather(*(stack.wait_for_status(refund_id, "settling") for refund_id in ids))

    out = ok(await refunds(stack, "settlements", token="dev-finance-1"))
    for refund_id, (currency, amount) in ids.items():
        [line] = [line for line in out.splitlines() if refund_id in line]
        assert f"{amount // 100}.{amount % 100:02d}" in line and currency.upper() in line and "pending" in line
    totals = out[out.index("Totals per currency") :].splitlines()
    assert [line.split() for line in totals if line.strip().startswith(("EUR", "USD"))] == [
        ["EUR", "2", "30.00"],
        ["USD", "1", "45.50"],
    ]
    assert "1-3 of 3 refunds" in out

    usd = ok(await refunds(stack, "settlements", "--currency", "USD", token="dev-finance-1"))
    assert [refund_id for refund_id in ids if refund_id in usd] == [r for r, (c, _) in ids.items() if c == "usd"]
    printed = ok(await refunds(stack, "settlements", "--csv", "-", token="dev-finance-1"))
    assert {
        row["refund_id"]: (row["currency"], int(row["amount_minor"])) for row in csv.DictReader(io.StringIO(printed))
    } == ids
    target = tmp_path / "settlements.csv"
    saved = await refunds(stack, "settlements", "--csv", str(target), "--state", "pending", token="dev-finance-1")
    assert saved.exit_code == 0 and "Saved 3 refunds" in saved.stderr
    assert len(list(csv.DictReader(target.open(newline="")))) == 3

    forbidden = await refunds(stack, "settlements")
    status, detail = await api_detail(stack, "/settlements", SUPPORT)
    assert forbidden.exit_code == 1 and status == 403 and forbidden.stderr == f"error: {detail}\n"

    refund_id = next(iter(ids))
    confirmed = ok(
        await refunds(stack, "confirm-settlement", refund_id, "--note", "seen on the statement", token="dev-finance-1")
    )
    assert confirmed.startswith(f"Refund {refund_id}: settled at ")
    settled = await stack.wait_for_status(refund_id, "settled")
    assert (
        settled["timeline"][-1]["kind"] == "settlement_confirmed"
        and settled["timeline"][-1]["note"] == "seen on the statement"
    )
    again = await refunds(stack, "confirm-settlement", refund_id, token="dev-finance-1")
    status, detail = await api_detail(stack, f"/settlements/{refund_id}/confirm", FINANCE, {})
    assert again.exit_code == 1 and status == 409 and again.stderr == f"error: {detail}\n"
    only_settled = ok(await refunds(stack, "settlements", "--state", "settled", token="dev-finance-1"))
    assert refund_id in only_settled and "settled" in only_settled
    assert [line.split() for line in only_settled.splitlines() if line.strip().startswith("EUR")] == [
        ["EUR", "1", "19.99"]
    ]
