"""The public refund request form on a phone: not-covered cases explained before sending, one answer for all."""

from __future__ import annotations

import pytest
from conftest import Phone, shot
from playwright.async_api import Page, expect
from refund_support import RefundStack
from sqlmodel import select

from services.customers import contacts_of
from store.refund_tables import Refund


@pytest.fixture
def settings_overrides() -> dict:
    """A small per-order limit, so the test reaches it."""
    return {"request_form_limit_per_order": "2/day"}


async def fill(page: Page, order_id: str, email: str, case: str, description: str) -> None:
    """Type a request into the form and send it."""
    await page.get_by_label("Order number").fill(order_id)
    await page.get_by_label("Email address you paid with").fill(email)
    await page.get_by_label(case).check()
    await page.get_by_label("Describe what happened").fill(description)
    await page.get_by_role("button", name="Send my request").click()


async def refunds_of(stack: RefundStack, order_id: str) -> list[Refund]:
    """The order's refunds as the read model holds them."""
    query = select(Refund).where(Refund.order_id == order_id)
    return await stack.database.atransact(lambda session: list(session.exec(query)))


async def test_a_not_covered_case_is_explained_before_sending(stack: RefundStack, phone: Phone) -> None:
    page = await phone()
    await page.goto(f"{stack.settings.public_api_url}/request-refund?lang=en")
    await expect(page.get_by_role("heading", name="Ask for a refund")).to_be_visible()
    await expect(page.get_by_test_id("why-changed_mind")).to_be_hidden()
    await page.get_by_label("The service was not activated").check()
    await expect(page.get_by_test_id("why-changed_mind")).to_be_hidden()
    await page.get_by_label("Change of mind").check()
    why = page.get_by_test_id("why-changed_mind")
    await expect(why).to_be_visible()
    await expect(why).to_contain_text("Our refund policy does not cover this case")
    await expect(why).to_contain_text("Personal preference (changed your mind")
    await expect(page.get_by_test_id("why-unused_time")).to_be_hidden()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "request-form-not-covered-en")

    await page.goto(f"{stack.settings.public_api_url}/request-refund?lang=fr")
    await page.get_by_label("Temps d'abonnement non utilisé").check()
    await expect(page.get_by_test_id("why-unused_time")).to_contain_text("ne couvre pas ce cas")
    await shot(page, "request-form-not-covered-fr")

    # Anyone may post the form: a body larger than any request is refused before it is read.
    response = await stack.api.post("/request-refund", content=b"description=" + b"x" * 20_000)
    assert response.status_code == 413 and "shorten it" in response.text and "Not done" in response.text


async def test_a_wrong_order_and_email_get_the_same_answer_and_a_right_pair_opens_a_refund(
    stack: RefundStack, phone: Phone
) -> None:
    order = await stack.paid_order(amount_minor=1999)
    page = await phone()
    form = f"{stack.settings.public_api_url}/request-refund?lang=en"

    await page.goto(form)
    await fill(page, order["order_id"], "someone.else@example.com", "The service was not activated", "No code came.")
    wrong = await page.get_by_test_id("sent").inner_text()
    await shot(page, "request-form-sent")
    await page.goto(form)
    await fill(page, "ord-does-not-exist", order["customer_email"], "The service was not activated", "No code came.")
    assert await page.get_by_test_id("sent").inner_text() == wrong
    assert await refunds_of(stack, order["order_id"]) == []
    assert await stack.database.atransact(lambda session: contacts_of(session, order["customer_id"])) == []

    await page.goto(form)
    email = order["customer_email"].upper()  # the address as typed, case aside
    await fill(page, order["order_id"], email, "The service was not activated", "I never got my activation code.")
    assert await page.get_by_test_id("sent").inner_text() == wrong  # no way to tell a right pair from a wrong one

    [refund] = await refunds_of(stack, order["order_id"])
    assert refund.requested_by_id == f"customer:{order['customer_id']}"
    assert refund.note == "I never got my activation code."
    # The policy verified the facts itself (never activated, small amount): approved without a person.
    settled = await stack.wait_for_status(refund.refund_id, "settling")
    assert settled["policy_decision"]["verified"] is True
    assert "refund_received" in await stack.emails(refund.refund_id)  # the confirmation by email
    [contact] = await stack.database.atransact(lambda session: contacts_of(session, order["customer_id"]))
    assert contact.channel == "request_form" and "I never got my activation code." in (contact.note or "")

    # The third request for this order today reaches the per-order limit, whoever sends it.
    await page.goto(form)
    await fill(page, order["order_id"], "x@example.com", "Duplicate payment", "Charged twice.")
    await expect(page.get_by_role("alert")).to_contain_text("Too many requests were sent")
    await shot(page, "request-form-limited")
