"""The customer's refund page on a phone: the status in words, a message kept as a contact, 'I have received it'."""

from __future__ import annotations

import re
import time

from conftest import PHONE, Phone, shot
from playwright.async_api import expect
from refund_support import RefundStack, entries

from customer_pages.links import page_url, sign_refund
from services.customers import contacts_of

# The page records visits and messages (a date comparison per visit): both databases.
READ_MODEL_BACKENDS = ["sqlite", "postgresql"]


async def contacts(stack: RefundStack, customer_id: str) -> list[tuple[str, str]]:
    """The customer's recorded contacts, oldest first, as (channel, note)."""
    rows = await stack.database.atransact(lambda session: contacts_of(session, customer_id))
    return [(row.channel, row.note or "") for row in reversed(rows)]


def link(stack: RefundStack, refund_id: str) -> str:
    """The refund page's address as the customer's emails carry it."""
    return page_url(stack.settings.public_api_url, stack.settings.link_key(), refund_id)


async def test_a_settling_refund_on_a_phone_takes_a_message_and_the_customers_confirmation(
    stack: RefundStack, phone: Phone
) -> None:
    order = await stack.paid_order(amount_minor=1999)
    refund = await stack.open_refund(order["order_id"], "not_activated", "settling")
    page = await phone()
    await page.goto(link(stack, refund["refund_id"]))
    await expect(page.get_by_role("heading", name="Your refund")).to_be_visible()
    await expect(page.get_by_test_id("status")).to_contain_text("Issued: on its way to your account")
    await expect(page.get_by_test_id("status")).to_contain_text("19.99 EUR")
    await expect(page.get_by_test_id("status")).to_contain_text("the service was not activated")
    await expect(page.get_by_test_id("window")).to_contain_text(re.compile(r"3 to 10 business days: expect it between"))
    await expect(page.get_by_test_id("timeline")).to_contain_text("We have received your request")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    await shot(page, "refund-page-settling-en")
    await page.reload()  # a second visit the same day is not a second contact
    assert await contacts(stack, order["customer_id"]) == [
        ("refund_page", f"visited the page of refund {refund['refund_id']}")
    ]

    await page.get_by_label("Your message").fill("The card was cancelled, will the refund still reach me?")
    await page.get_by_role("button", name="Send the message").click()
    await expect(page.get_by_role("status")).to_contain_text("your message has reached our support team")
    recorded = await contacts(stack, order["customer_id"])
    assert recorded[-1] == (
        "refund_page",
        f"message about refund {refund['refund_id']}: The card was cancelled, will the refund still reach me?",
    )

    await page.get_by_role("button", name="I have received it").click()
    await expect(page.get_by_role("status")).to_contain_text("your refund is marked as received")
    await expect(page.get_by_test_id("status")).to_contain_text("Paid: your refund has arrived")
    await expect(page.get_by_test_id("timeline")).to_contain_text("You told us the refund reached you")
    await expect(page.get_by_role("button", name="I have received it")).to_have_count(0)
    await expect(page.get_by_label("Your message")).to_have_count(0)  # settled: nothing left to contact us about
    await shot(page, "refund-page-received-en")
    settled = await stack.wait_for_status(refund["refund_id"], "settled")
    [confirmed] = entries(settled, "settlement_confirmed")
    assert confirmed["actor_id"] == f"customer:{order['customer_id']}"  # finance sees who confirmed
    assert confirmed["actor_name"] == f"the customer ({order['customer_id']})"


async def test_a_rejected_refund_in_french_quotes_the_policy_and_a_bad_link_opens_nothing(
    stack: RefundStack, phone: Phone
) -> None:
    order = await stack.paid_order(amount_minor=11988, plan_months=12, locale="fr")
    refund = await stack.open_refund(order["order_id"], "changed_mind", "rejected")
    page = await phone()
    await page.goto(link(stack, refund["refund_id"]))
    await expect(page.get_by_role("heading", name="Votre remboursement")).to_be_visible()
    await expect(page.get_by_test_id("status")).to_contain_text("Non remboursé selon notre politique")
    await expect(page.get_by_test_id("status")).to_contain_text("119,88 EUR")
    await expect(page.get_by_test_id("clause")).to_contain_text(refund["policy_decision"]["clause"][:40])
    await expect(page.get_by_role("heading", name="Un problème ? Contactez-nous avant votre banque")).to_be_visible()
    await expect(page.get_by_role("button", name="Je l'ai reçu")).to_have_count(0)
    await expect(page.get_by_test_id("window")).to_have_count(0)  # no money moves: no statement dates
    await shot(page, "refund-page-rejected-fr")

    # A forged form (another site's): the same fields without the page's cookie is refused, nothing recorded.
    response = await stack.api.post(
        link(stack, refund["refund_id"]).removeprefix(str(stack.settings.public_api_url)) + "/message",
        data={"message": "forged", "csrf_token": "guess"},
    )
    assert response.status_code == 422 and "Reload the page" in response.text
    assert [note for _channel, note in await contacts(stack, order["customer_id"])] == [
        f"visited the page of refund {refund['refund_id']}"
    ]

    # Before the page knows the order, it speaks the browser's language (English here).
    expired = sign_refund(stack.settings.link_key(), refund["refund_id"], clock=lambda: time.time() - 91 * 86400)
    for token, status, says in (
        ("not-a-token", 404, "cut short or mistyped"),
        (sign_refund(b"another key" * 4, refund["refund_id"]), 404, "cut short or mistyped"),
        (expired, 410, "This link has expired"),
    ):
        answer = await page.goto(f"{stack.settings.public_api_url}/my-refund/{token}")
        assert answer is not None and answer.status == status
        await expect(page.get_by_role("heading", name="This link does not open a refund")).to_be_visible()
        await expect(page.get_by_role("alert")).to_contain_text(says)
    await shot(page, "refund-page-bad-link")
