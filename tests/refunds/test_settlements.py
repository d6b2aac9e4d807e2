"""Finance's settlements: list, filters, totals and CSV over mixed currencies and dates; confirming; late failures."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from refund_support import ADMIN, APPROVER, FINANCE, SUPPORT, RefundStack, entries

from domain.money import major_units
from store.refund_tables import Refund
from store.settlements import LATE_FAILURE_ACTION, SettlementState, is_overdue, state_of

# The read model on both backends: the same flows on SQLite and PostgreSQL (see conftest).
READ_MODEL_BACKENDS = ("sqlite", "postgresql")


FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card a moment after they succeed


async def settlements(stack: RefundStack, headers: dict = FINANCE, **params: Any) -> dict[str, Any]:
    """GET /settlements as finance, asserting it answers."""
    response = await stack.api.get("/settlements", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: dict[str, Any]) -> set[str]:
    """The refund ids of a settlements page."""
    return {item["refund_id"] for item in page["items"]}


def expected_by(refund: dict[str, Any]) -> date:
    """The last day of a refund's settlement window."""
    return date.fromisoformat(refund["settlement"]["expected_by"])


async def issued_refund(stack: RefundStack, amount_minor: int, currency: str, *, card: str = "pm_card_visa") -> str:
    """A not-activated order refunded automatically; returns the refund id once it is requested."""
    order = await stack.paid_order(amount_minor=amount_minor, currency=currency, card=card)
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    return response.json()["refund_id"]


async def test_list_filters_totals_and_csv_across_currencies_and_dates(stack: RefundStack) -> None:
    # Three auto-approved refunds, one a day's approval later (5 days of workflow time), one Stripe fails.
    eur_id = await issued_refund(stack, 1999, "eur")
    usd_id = await issued_refund(stack, 4550, "usd")
    gbp_id = await issued_refund(stack, 1250, "gbp")
    failed_id = await issued_refund(stack, 3333, "usd", card=FAILING_CARD)
    late_order = await stack.paid_order(amount_minor=3000, currency="eur")
    late = await stack.open_refund(late_order["order_id"], "wrong_plan", "awaiting_approval")
    late_id = late["refund_id"]
    await stack.env.fast_forward(stack.handle(late_id), timedelta(days=5))
    approved = await stack.act(late_id, "approve", APPROVER)
    assert approved.status_code == 200, approved.text

    await asyncio.gather(*(stack.wait_for_status(r, "settling") for r in (eur_id, usd_id, gbp_id, late_id)))
    await stack.wait_for_status(failed_id, "failed")
    # The gbp refund waits out its window and settles.
    await stack.env.fast_forward(stack.handle(gbp_id), timedelta(days=16))
    await stack.wait_for_status(gbp_id, "settled")
    refunds = {r: await stack.refund(r) for r in (eur_id, usd_id, gbp_id, failed_id, late_id)}
    assert expected_by(refunds[late_id]) > expected_by(refunds[eur_id]), "approved 5 days later, due later"

    # By default: issued and not settled, soonest expected first.
    page = await settlements(stack)
    assert ids(page) == {eur_id, usd_id, failed_id, late_id} and page["total"] == 4
    assert [item["expected_by"] for item in page["items"]] == sorted(item["expected_by"] for item in page["items"])
    by_id = {item["refund_id"]: item for item in page["items"]}
    for refund_id, item in by_id.items():
        refund = refunds[refund_id]
        assert (item["order_id"], item["customer_id"], item["amount_minor"], item["currency"]) == (
            refund["order_id"],
            refund["customer_id"],
            refund["amount_minor"],
            refund["currency"],
        )
        assert item["stripe_refund_id"] == refund["stripe_refund_id"] and item["stripe_refund_id"].startswith("re_")
        assert item["succeeded_at"] == refund["succeeded_at"]
        assert (item["expected_from"], item["expected_by"]) == (
            refund["settlement"]["expected_from"],
            refund["settlement"]["expected_by"],
        )
    assert by_id[eur_id]["amount"] == "19.99" and by_id[usd_id]["amount"] == "45.50"
    # Fresh windows end 10 business days out: nothing is due within the default 2 days.
    assert {item["state"] for item in page["items"] if item["status"] == "settling"} == {"pending"}
    failed = by_id[failed_id]
    assert failed["state"] == "failed" and failed["failure_reason"] == "expired_or_canceled_card"
    assert (
        f"/refunds/{failed_id}/resolve-failure" in failed["action_needed"]
        and "manual_payout" in failed["action_needed"]
    )
    assert by_id[eur_id]["action_needed"] is None and by_id[eur_id]["needs_attention"] is False

    # Totals cover every listed refund: per currency, and per (expected-by date, currency).
    assert page["totals_by_currency"] == [
        {"currency": "eur", "count": 2, "amount_minor": 4999, "amount": "49.99"},
        {"currency": "usd", "count": 2, "amount_minor": 7883, "amount": "78.83"},
    ]
    per_day: dict[tuple[str, str], list[int]] = defaultdict(list)
    for refund_id in (eur_id, usd_id, failed_id, late_id):
        per_day[(refunds[refund_id]["settlement"]["expected_by"], refunds[refund_id]["currency"])].append(
            refunds[refund_id]["amount_minor"]
        )
    assert [
        (t["expected_by"], t["currency"], t["count"], t["amount_minor"]) for t in page["totals_by_expected_by"]
    ] == [(day, currency, len(amounts), sum(amounts)) for (day, currency), amounts in sorted(per_day.items())]

    # States: pending and due split on `due_within_days`; settled and failed by status.
    today = date.fromisoformat(page["today"])
    horizon = (expected_by(refunds[eur_id]) - today).days
    due = await settlements(stack, state="due", due_within_days=horizon)
    assert eur_id in ids(due) and late_id not in ids(due)
    assert ids(due) == {
        r for r in (eur_id, usd_id, late_id) if expected_by(refunds[r]) <= today + timedelta(days=horizon)
    }
    assert {item["state"] for item in due["items"]} == {"due"}
    pending = await settlements(stack, state="pending", due_within_days=horizon)
    assert late_id in ids(pending) and ids(pending) == {eur_id, usd_id, late_id} - ids(due)
    assert ids(await settlements(stack, state="pending")) == {eur_id, usd_id, late_id}
    assert ids(await settlements(stack, state="due")) == set()
    settled = await settlements(stack, state="settled")
    assert ids(settled) == {gbp_id}
    assert settled["items"][0]["settled_at"] and settled["items"][0]["amount"] == "12.50"
    assert settled["totals_by_currency"] == [{"currency": "gbp", "count": 1, "amount_minor": 1250, "amount": "12.50"}]
    assert ids(await settlements(stack, state="failed")) == {failed_id}

    # Currency (any case) and expected-by dates.
    eur = await settlements(stack, currency="EUR")
    assert ids(eur) == {eur_id, late_id} and [t["currency"] for t in eur["totals_by_currency"]] == ["eur"]
    late_day = refunds[late_id]["settlement"]["expected_by"]
    assert ids(await settlements(stack, expected_by_from=late_day, expected_by_to=late_day)) == {late_id}
    assert late_id not in ids(
        await settlements(stack, expected_by_to=(expected_by(refunds[late_id]) - timedelta(days=1)).isoformat())
    )
    bad = await stack.api.get("/settlements", params={"currency": "ecu"}, headers=FINANCE)
    assert bad.status_code == 422 and "'ecu' is not a currency we accept" in bad.json()["detail"]

    # Pages share the totals of the whole list.
    first = await settlements(stack, limit=2)
    second = await settlements(stack, limit=2, offset=2)
    assert len(first["items"]) == len(second["items"]) == 2 and ids(first) | ids(second) == ids(page)
    assert first["totals_by_currency"] == second["totals_by_currency"] == page["totals_by_currency"]

    # The CSV has the same rows, amounts in major and minor units, and parses back.
    response = await stack.api.get("/settlements.csv", headers=FINANCE)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert [line["refund_id"] for line in lines] == [item["refund_id"] for item in page["items"]]
    for line in lines:
        item = by_id[line["refund_id"]]
        assert line["stripe_refund_id"] == item["stripe_refund_id"] and line["order_id"] == item["order_id"]
        assert line["customer_id"] == item["customer_id"] and line["currency"] == item["currency"]
        assert int(line["amount_minor"]) == item["amount_minor"] and line["amount"] == item["amount"]
        assert line["expected_from"] == item["expected_from"] and line["expected_by"] == item["expected_by"]
        assert datetime.fromisoformat(line["succeeded_at"]) == datetime.fromisoformat(item["succeeded_at"])
        assert line["state"] == item["state"] and line["settled_at"] == "" and line["needs_attention"] == "no"
    settled_csv = list(
        csv.DictReader(
            io.StringIO((await stack.api.get("/settlements.csv", params={"state": "settled"}, headers=FINANCE)).text)
        )
    )
    assert [(line["refund_id"], line["amount"], line["currency"], line["state"]) for line in settled_csv] == [
        (gbp_id, "12.50", "gbp", "settled")
    ]
    assert datetime.fromisoformat(settled_csv[0]["settled_at"]) == datetime.fromisoformat(refunds[gbp_id]["settled_at"])

    # Finance and admins only.
    for path in ("/settlements", "/settlements.csv"):
        refused = await stack.api.get(path, headers=SUPPORT)
        assert (
            refused.status_code == 403
            and refused.json()["detail"] == "this needs the role admin or finance; your token has support"
        )
    assert ids(await settlements(stack, headers=ADMIN)) == ids(page)


async def test_finance_confirms_a_settlement_early(stack: RefundStack) -> None:
    refund_id = await issued_refund(stack, 2400, "eur")
    await stack.wait_for_status(refund_id, "settling")
    waiting_order = await stack.paid_order()
    waiting = await stack.open_refund(waiting_order["order_id"], "wrong_plan", "awaiting_approval")

    refused = await stack.api.post(f"/settlements/{refund_id}/confirm", json={}, headers=SUPPORT)
    assert refused.status_code == 403 and "finance" in refused.json()["detail"]
    early = await stack.api.post(f"/settlements/{waiting['refund_id']}/confirm", json={}, headers=FINANCE)
    assert early.status_code == 409
    assert (
        early.json()["detail"]
        == "This refund is 'awaiting_approval'; only a settling refund can be confirmed as settled."
    )
    missing = await stack.api.post("/settlements/rf_nope/confirm", json={}, headers=FINANCE)
    assert missing.status_code == 404 and missing.json()["detail"] == "no refund with id rf_nope"

    note = "customer's bank statement shows the credit"
    confirmed = await stack.api.post(f"/settlements/{refund_id}/confirm", json={"note": note}, headers=FINANCE)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "settled"
    assert (await stack.handle(refund_id).result()).status == "settled"
    settled = await stack.wait_for_status(refund_id, "settled")
    [step] = entries(settled, "settlement_confirmed")
    assert (step["actor_name"], step["status"], step["note"]) == ("dev-finance-1", "settled", note)
    assert step["actor_id"].startswith("stf_")
    assert settled["timeline"][-1] == step
    assert datetime.fromisoformat(settled["settled_at"]) < datetime.fromisoformat(settled["succeeded_at"]) + timedelta(
        days=1
    )

    assert refund_id not in ids(await settlements(stack))
    assert refund_id in ids(await settlements(stack, state="settled"))
    again = await stack.api.post(f"/settlements/{refund_id}/confirm", json={}, headers=FINANCE)
    assert again.status_code == 409 and "settled" in again.json()["detail"]


async def test_a_late_failure_after_settlement_is_shown_to_finance(stack: RefundStack) -> None:
    quiet_id = await issued_refund(stack, 1500, "eur")
    control = stack.emulator.control
    before = (await asyncio.to_thread(control.settings))["refund_failure_delay"]
    await asyncio.to_thread(control.configure, refund_failure_delay=3)
    try:
        late_id = await issued_refund(stack, 2750, "usd", card=FAILING_CARD)
        await stack.wait_for_status(late_id, "settling")
        # The window passes before Stripe's failure arrives: the refund settles, then refund.failed comes late.
        await stack.env.fast_forward(stack.handle(late_id), timedelta(days=16))
        assert (await stack.handle(late_id).result()).status == "settled"
        deadline = time.monotonic() + 10
        while not (flagged := await settlements(stack, needs_attention="true"))["items"]:
            assert time.monotonic() < deadline, "the late failure never reached finance"
            await asyncio.sleep(0.1)
    finally:
        await asyncio.to_thread(control.configure, refund_failure_delay=before)
    await stack.wait_for_status(quiet_id, "settling")

    [row] = flagged["items"]
    assert row["refund_id"] == late_id and row["status"] == "settled" and row["state"] == "settled"
    assert row["needs_attention"] is True and "expired_or_canceled_card" in row["attention_reason"]
    assert row["action_needed"] == LATE_FAILURE_ACTION
    assert flagged["totals_by_currency"] == [{"currency": "usd", "count": 1, "amount_minor": 2750, "amount": "27.50"}]
    # Settled refunds leave the default list, except this one: finance sees it next to what is pending.
    default = await settlements(stack)
    assert ids(default) == {quiet_id, late_id}
    assert ids(await settlements(stack, needs_attention="false")) == {quiet_id}
    lines = list(
        csv.DictReader(
            io.StringIO(
                (await stack.api.get("/settlements.csv", params={"needs_attention": "true"}, headers=FINANCE)).text
            )
        )
    )
    assert [(line["refund_id"], line["state"], line["needs_attention"]) for line in lines] == [
        (late_id, "settled", "yes")
    ]


def _row(status: str, expected: date | None) -> Refund:
    """An unsaved refund row, enough for the pure state rules."""
    return Refund.model_construct(
        refund_id="rf_x", status=status, expected_by=expected, amount_minor=100, currency="eur"
    )


def test_state_rules_at_the_due_boundary_and_overdue() -> None:
    today = date(2025, 3, 10)
    assert state_of(_row("settling", date(2025, 3, 12)), today, 2) is SettlementState.DUE
    assert state_of(_row("settling", date(2025, 3, 13)), today, 2) is SettlementState.PENDING
    assert state_of(_row("settling", date(2025, 3, 10)), today, 0) is SettlementState.DUE
    overdue = _row("settling", date(2025, 3, 7))
    assert state_of(overdue, today, 2) is SettlementState.DUE and is_overdue(overdue, today)
    assert not is_overdue(_row("settling", today), today)
    assert state_of(_row("failed", date(2025, 3, 1)), today, 2) is SettlementState.FAILED
    assert state_of(_row("settled", date(2025, 3, 1)), today, 2) is SettlementState.SETTLED and not is_overdue(
        _row("settled", date(2025, 3, 1)), today
    )


def test_major_units_follow_stripe_decimals() -> None:
    assert [major_units(1999, "eur"), major_units(5, "usd"), major_units(0, "gbp"), major_units(120050, "EUR")] == [
        "19.99",
        "0.05",
        "0.00",
        "1200.50",
    ]
    assert major_units(1500, "jpy") == "1500"
    assert major_units(12345, "tnd") == "12.345"
