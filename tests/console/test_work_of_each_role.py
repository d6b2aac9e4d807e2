"""Each role's work in the browser: troubleshooting to approval, failures and settlements, disputes, staff records."""

from __future__ import annotations

import re
import uuid

from conftest import Person
from playwright.async_api import expect
from refund_support import RefundStack
from test_sign_in_and_refunds import ADMIN, APPROVER, SUPPORT, request_through_the_form

FINANCE = ("dev-finance-1@dev.local", "dev-finance-1-password")
FAILING_CARD = "pm_card_refundFail"  # the emulator fails refunds to this card a moment after they succeed


async def test_troubleshooting_that_fails_goes_to_an_approver_who_approves(people, stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1999)
    ada: Person = await people()
    await ada.sign_in(*SUPPORT)
    refund_id = await request_through_the_form(ada, order["order_id"], "technical_issue", "troubleshoots first")
    await stack.wait_for_status(refund_id, "investigating")
    page = await ada.open("/console/")
    await expect(page.locator("#troubleshooting")).to_contain_text(refund_id)
    await page.get_by_role("link", name=refund_id).first.click()
    await page.get_by_label("Outcome").select_option("unresolved")
    await page.get_by_label("What was tried").fill("reinstalled the app, cleared the cache: still no picture")
    await ada.shot("refund-troubleshooting")
    await page.get_by_role("button", name="Record step").click()
    await expect(page.get_by_role("status")).to_have_text("Troubleshooting step recorded.")
    await expect(page.get_by_test_id("status")).to_have_text("awaiting approval")

    bea: Person = await people()
    page = await bea.sign_in(*APPROVER)
    await bea.open(f"/console/refunds/{refund_id}")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_test_id("status")).to_have_text(re.compile("approved|refunding|settling"))
    refund = await stack.wait_for_status(refund_id, "settling")
    assert [e["kind"] for e in refund["timeline"]].count("troubleshooting") == 1


async def test_finance_pays_a_failed_refund_by_hand_and_confirms_a_settlement(people, stack: RefundStack) -> None:
    failing = await stack.paid_order(amount_minor=4500, card=FAILING_CARD)
    settling = await stack.paid_order(amount_minor=1999)
    failed_id = (await stack.request_refund(failing["order_id"], "not_activated")).json()["refund_id"]
    settling_id = (await stack.request_refund(settling["order_id"], "not_activated")).json()["refund_id"]
    await stack.wait_for_status(failed_id, "failed", timeout=20)
    await stack.wait_for_status(settling_id, "settling")

    fin: Person = await people()
    page = await fin.sign_in(*FINANCE)
    await expect(page.locator("#failed")).to_contain_text(failed_id)
    await fin.shot("my-work-finance")
    await fin.open("/console/settlements")
    # Totals are per state: the failed 45.00 EUR is never summed with the 19.99 EUR on its way.
    await expect(page.get_by_test_id("total-failed-eur")).to_have_text("45.00 EUR")
    settling_totals = page.locator("[data-testid^=total-pending-], [data-testid^=total-due-]")
    await expect(settling_totals).to_have_text(["19.99 EUR"])
    await fin.shot("settlements")

    await fin.open(f"/console/refunds/{failed_id}")
    await page.get_by_label("How").select_option("manual_payout")
    await page.get_by_label("Payout reference").fill("SEPA-2026-0042")
    await fin.shot("refund-failed")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_test_id("status")).to_have_text("settled")
    assert "SEPA-2026-0042" in (await stack.refund(failed_id))["resolution"]

    await fin.open(f"/console/refunds/{settling_id}")
    await page.get_by_role("button", name="Confirm settled").click()
    await expect(page.get_by_role("status")).to_have_text("Settlement confirmed.")
    await expect(page.get_by_test_id("status")).to_have_text("settled")


async def test_finance_submits_dispute_evidence(people, disputes: RefundStack) -> None:
    order = await disputes.paid_order(card="pm_card_createDispute", activated=True)
    dispute = await disputes.dispute_of(order["payment_intent_id"])
    fin: Person = await people()
    page = await fin.sign_in(*FINANCE)
    await fin.open("/console/disputes")
    await expect(page.get_by_role("link", name=dispute["dispute_id"])).to_be_visible()
    await fin.shot("disputes")
    await page.get_by_role("link", name=dispute["dispute_id"]).click()
    await expect(page.get_by_text("No contact before the dispute")).to_be_visible()
    await page.get_by_label("Your text for the bank").fill("The customer activated and used the subscription.")
    await fin.shot("dispute")
    await page.get_by_role("button", name="Submit evidence").click()
    await expect(page.get_by_role("status")).to_contain_text("Your evidence was accepted")
    # The page follows the dispute by itself until the workflow has handed the evidence to Stripe.
    await expect(page.get_by_test_id("evidence")).to_contain_text("submitted", timeout=20_000)
    await expect(page.get_by_role("button", name="Submit evidence")).to_have_count(0)


async def test_an_admin_adds_a_staff_member_who_then_signs_in(people, stack: RefundStack) -> None:
    admin: Person = await people()
    page = await admin.sign_in(*ADMIN)
    await admin.open("/console/staff")
    name = f"cleo-{uuid.uuid4().hex[:6]}"
    await page.get_by_text("Add a staff member").click()
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Email", exact=False).first.fill(f"{name}@example.com")
    await page.get_by_role("checkbox", name="support").check()
    await page.get_by_label("Console password").fill("cleo's long password")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.get_by_test_id("new-token")).to_contain_text("rfs_")
    await expect(page.locator("table").last).to_contain_text("password set")
    await admin.shot("staff")

    cleo: Person = await people()
    page = await cleo.sign_in(f"{name}@example.com", "cleo's long password")
    await expect(page.locator("nav .who")).to_contain_text(f"{name} · support")
    await cleo.open("/console/staff")
    await expect(page.get_by_role("alert")).to_have_text("Only an admin can manage staff records.")
