"""Shop events in the console: an admin sees each delivery's fate (after the shop's 500s) and replays one."""

from __future__ import annotations

from conftest import Person
from playwright.async_api import expect
from refund_support import SUPPORT as SUPPORT_TOKEN
from refund_support import RefundStack
from test_shop_events import Shop, shop  # noqa: F401  (the receiver answering 500 twice, and the relay)
from test_sign_in_and_refunds import ADMIN, SUPPORT


async def test_an_admin_follows_deliveries_and_replays_one(people, stack: RefundStack, shop: Shop) -> None:  # noqa: F811
    order = await stack.paid_order()
    requested = await stack.request_refund(order["order_id"], "not_activated", SUPPORT_TOKEN)
    assert requested.status_code == 201, requested.text
    await shop.wait_for("refund.status_changed")

    admin: Person = await people()
    page = await admin.sign_in(*ADMIN)
    await page.get_by_role("link", name="Shop events").click()
    rows = page.get_by_test_id("deliveries").locator("tbody tr")
    delivered = rows.filter(has_text="refund.status_changed").filter(has_text="delivered").first
    await expect(delivered).to_be_visible()
    await expect(delivered.locator("td").nth(4)).to_have_text("3")  # two 500s, then 200
    await admin.shot("shop-events")

    await delivered.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("status")).to_contain_text("queued again with the same event id")

    # Support may not see the page at all.
    agent: Person = await people()
    page = await agent.sign_in(*SUPPORT)
    await expect(page.get_by_role("link", name="Shop events")).to_have_count(0)
    await agent.open("/console/shop-events")
    await expect(page.get_by_role("alert")).to_have_text(
        "You cannot see the events sent to the shop: that needs the role admin; you have support."
    )
