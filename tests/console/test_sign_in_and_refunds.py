"""The console in a real browser: signing in and out, CSRF, requesting a refund, a second person approving."""

from __future__ import annotations

import re

from conftest import Person
from playwright.async_api import expect
from refund_support import RefundStack

SUPPORT = ("dev-support-1@dev.local", "dev-support-1-password")
APPROVER = ("dev-approver-1@dev.local", "dev-approver-1-password")
ADMIN = ("dev-admin-1@dev.local", "dev-admin-1-password")


async def test_sign_in_sets_a_protected_cookie_and_sign_out_ends_the_session(people, stack: RefundStack) -> None:
    ada: Person = await people()
    await ada.open("/console/refunds")
    assert "/console/sign-in?next=/console/refunds" in ada.page.url
    await ada.shot("sign-in")
    page = await ada.sign_in(*SUPPORT)
    await expect(page.locator("nav .who")).to_contain_text("dev-support-1 · support")
    await expect(page.get_by_role("link", name="Settlements")).to_have_count(0)  # not finance
    cookie = next(c for c in await ada.context.cookies() if c["name"] == "refunds_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/console"
    assert not cookie["secure"]  # PUBLIC_API_URL is http on the test stack
    await ada.shot("my-work-support")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not [c for c in await ada.context.cookies() if c["name"] == "refunds_console"]
    await ada.open("/console/")
    assert "/console/sign-in" in page.url


async def test_a_wrong_password_is_refused_in_words(people, stack: RefundStack) -> None:
    eve: Person = await people()
    await eve.open("/console/sign-in")
    await eve.page.get_by_label("Email or staff name").fill(SUPPORT[0])
    await eve.page.get_by_label("Password").fill("not the password at all")
    await eve.page.get_by_role("button", name="Sign in").click()
    await expect(eve.page.get_by_role("alert")).to_contain_text("do not match an active staff member")
    await eve.shot("sign-in-refused")


async def test_a_form_without_its_csrf_token_is_refused(people, stack: RefundStack) -> None:
    mallory: Person = await people()
    page = await mallory.sign_in(*SUPPORT)
    # A forged form: the sign-out form as another site would post it, without this session's token.
    await page.evaluate("document.querySelector('form[action=\"/console/sign-out\"] input[name=csrf_token]').remove()")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text("did not carry this session's security token")
    await mallory.shot("csrf-refused")
    await mallory.open("/console/")
    await expect(page.get_by_role("heading", name="My work")).to_be_visible()  # still signed in: nothing was done


async def request_through_the_form(person: Person, order_id: str, reason: str, expected_preview: str) -> str:
    """Find the order, pick the reason, read the preview, submit; answers the new refund's id."""
    page = await person.open("/console/refunds/new")
    await page.get_by_placeholder("order id, customer id or customer email").fill(order_id)
    await page.get_by_role("button", name="Find the order").click()
    await page.get_by_role("button", name="Refund this order").click()
    await expect(page.get_by_test_id("order-card")).to_contain_text(order_id)
    await page.locator(f"input[name=reason][value={reason}]").check()
    await expect(page.get_by_test_id("preview")).to_contain_text(expected_preview)
    await person.shot(f"new-refund-{reason}")
    await page.get_by_role("button", name="Request the refund").click()
    await expect(page.get_by_role("status")).to_have_text("Refund requested; the policy's decision is below.")
    found = re.search(r"/console/refunds/(rf_[0-9a-f]+)", page.url)
    assert found, page.url
    return found.group(1)


async def test_support_requests_a_refund_through_the_form_with_its_preview(people, stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=11988, plan_months=12)
    ada: Person = await people()
    await ada.sign_in(*SUPPORT)
    refund_id = await request_through_the_form(ada, order["order_id"], "changed_mind", "Will be rejected")

    refund = await stack.wait_for_status(refund_id, "rejected")
    assert refund["requested_by"] == "dev-support-1" and refund["amount_minor"] == 11988
    await ada.page.reload()
    await expect(ada.page.get_by_test_id("status")).to_have_text("rejected")
    await expect(ada.page.get_by_test_id("decision")).to_contain_text("The policy does not refund")
    await expect(ada.page.get_by_test_id("emails")).to_contain_text("refund rejected")
    await expect(ada.page.get_by_text("119.88 EUR").first).to_be_visible()
    await ada.shot("refund-rejected")

    # The list finds it by the customer's email, and by its reason and status.
    page = await ada.open(f"/console/refunds?q={order['customer_email']}")
    await expect(page.get_by_role("link", name=refund_id)).to_be_visible()
    await page.get_by_label("Reason").select_option("wrong_plan")
    await page.get_by_role("button", name="Filter").click()  # with the search still filled in
    await expect(page.get_by_text("No refund matches.")).to_be_visible()
    await ada.open("/console/refunds?status=rejected&reason=changed_mind&since=2000-01-01")
    await expect(page.get_by_role("link", name=refund_id)).to_be_visible()
    await ada.open("/console/refunds?status=rejected&until=2000-01-01")
    await expect(page.get_by_text("No refund matches.")).to_be_visible()
    await ada.open("/console/refunds?status=rejected&reason=changed_mind")
    await expect(page.get_by_role("link", name=refund_id)).to_be_visible()
    await ada.shot("refunds-list")
    exported = await page.request.get(f"{ada.base_url}/console/refunds.csv?status=rejected&reason=changed_mind")
    header, *lines = (await exported.text()).splitlines()
    assert header.startswith("refund_id,order_id") and len(lines) == 1 and ",119.88,EUR," in lines[0]
    await ada.open(f"/console/customers/{order['customer_id']}")
    await expect(page.get_by_role("link", name=refund_id)).to_be_visible()
    await ada.shot("customer")


async def test_a_second_person_approves_and_the_requester_is_refused_in_words(people, stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=2500, plan_months=12)
    admin: Person = await people()
    await admin.sign_in(*ADMIN)
    refund_id = await request_through_the_form(admin, order["order_id"], "wrong_plan", "Needs an approver")
    await stack.wait_for_status(refund_id, "awaiting_approval")

    await admin.page.reload()
    refusal = "You requested this refund, so someone else must approve or reject it."
    await expect(admin.page.get_by_test_id("refusal")).to_have_text(refusal)
    await expect(admin.page.get_by_role("button", name="Approve")).to_have_count(0)
    await admin.shot("refund-requester-refused")
    # Posting the approval anyway (a form kept open in another tab) gets the workflow's own refusal.
    csrf = await admin.page.locator("input[name=csrf_token]").first.input_value()
    answer = await admin.page.request.post(
        f"{admin.base_url}/console/refunds/{refund_id}/approve", form={"csrf_token": csrf, "note": "mine"}
    )
    assert answer.status == 409 and refusal in await answer.text()

    bea: Person = await people()
    page = await bea.sign_in(*APPROVER)
    await expect(page.locator("#decide")).to_contain_text(refund_id)
    await bea.shot("my-work-approver")
    await page.get_by_role("link", name=refund_id).first.click()
    await bea.shot("refund-awaiting-approval")
    await page.get_by_test_id("decide").get_by_label("Note").fill("plan chosen by mistake, confirmed by phone")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_have_text("Your approval is recorded.")
    # The page follows the refund through Stripe by itself (htmx polling), without a reload.
    await expect(page.get_by_test_id("status")).to_have_text("settling", timeout=30_000)
    await expect(page.get_by_text(re.compile(r"expected \d"))).to_be_visible()
    await bea.shot("refund-settling")
    refund = await stack.refund(refund_id)
    assert [a["actor_name"] for a in refund["approvals"]] == ["dev-approver-1"]
    assert refund["stripe_refund_id"]
