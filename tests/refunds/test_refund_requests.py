"""POST /refunds input handling (404, 422, 409, Idempotency-Key) and GET /refunds filters and pages."""

from __future__ import annotations

from datetime import timedelta

from refund_support import SUPPORT, SUPPORT_2, RefundStack
from sqlmodel import select

from store.refund_tables import Refund


async def refunds_on(stack: RefundStack, order_id: str) -> list[Refund]:
    """The read model's refunds on an order (read in a thread: the API shares this event loop)."""
    return await stack.database.atransact(
        lambda session: list(session.exec(select(Refund).where(Refund.order_id == order_id)))
    )


async def test_unknown_order_is_404(stack: RefundStack) -> None:
    response = await stack.request_refund("ord-missing", "not_activated")
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "no order with id ord-missing"


async def test_bad_reason_is_422_with_a_readable_detail(stack: RefundStack) -> None:
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], "too_expensive")
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("reason: ") and "'changed_mind'" in detail and "'wrong_plan'" in detail
    assert await refunds_on(stack, order["order_id"]) == []


async def test_amount_above_what_remains_is_422_in_the_policys_words(stack: RefundStack) -> None:
    order = await stack.paid_order(amount_minor=1999)
    response = await stack.request_refund(order["order_id"], "wrong_plan", amount_minor=2500)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "amount_exceeds_remaining"
    assert body["detail"].startswith("A refund of 25.00 EUR is more than what is left to refund")
    assert "19.99 EUR" in body["detail"]
    response = await stack.request_refund(order["order_id"], "not_activated", amount_minor=500)
    assert response.status_code == 422 and response.json()["code"] == "full_refund_only"
    assert await refunds_on(stack, order["order_id"]) == []


async def test_second_open_refund_on_an_order_is_409(stack: RefundStack) -> None:
    order = await stack.paid_order()
    first = await stack.open_refund(order["order_id"], "wrong_plan", "awaiting_approval")
    response = await stack.request_refund(order["order_id"], "technical_issue", headers=SUPPORT_2)
    assert response.status_code == 409, response.text
    assert first["refund_id"] in response.json()["detail"] and "already has an open refund" in response.json()["detail"]
    assert (response.json()["refund_id"], response.json()["status"]) == (first["refund_id"], "awaiting_approval")
    assert [r.refund_id for r in await refunds_on(stack, order["order_id"])] == [first["refund_id"]]


async def test_retry_without_a_key_is_409_naming_the_refund_its_first_request_opened(stack: RefundStack) -> None:
    order = await stack.paid_order()
    first = await stack.request_refund(order["order_id"], "not_activated")  # the answer was lost on the way back
    assert first.status_code == 201, first.text
    refund_id = first.json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")  # the whole amount is moving: nothing is left to refund

    again = await stack.request_refund(order["order_id"], "not_activated")
    assert again.status_code == 409, again.text
    body = again.json()
    assert (body["refund_id"], body["status"], body["order_id"]) == (refund_id, "settling", order["order_id"])
    assert body["detail"].startswith(f"order {order['order_id']} already has an open refund ({refund_id}, settling)")
    assert "this is the refund it started" in body["detail"]
    assert [r.refund_id for r in await refunds_on(stack, order["order_id"])] == [refund_id]


async def test_idempotency_key_replays_the_same_refund(stack: RefundStack) -> None:
    order = await stack.paid_order()
    body = {"order_id": order["order_id"], "reason": "wrong_plan", "note": "picked 12 months instead of 1"}
    headers = SUPPORT | {"Idempotency-Key": "ticket-4711"}
    first = await stack.api.post("/refunds", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    await stack.wait_for_status(first.json()["refund_id"], "awaiting_approval")
    run_id = (await stack.handle(first.json()["refund_id"]).describe()).run_id

    again = await stack.api.post("/refunds", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["refund_id"] == first.json()["refund_id"]
    assert (await stack.handle(first.json()["refund_id"]).describe()).run_id == run_id
    assert len(await refunds_on(stack, order["order_id"])) == 1

    different = await stack.api.post("/refunds", json=body | {"note": "another ticket"}, headers=headers)
    assert different.status_code == 409, different.text
    assert "ticket-4711" in different.json()["detail"] and "different" in different.json()["detail"]
    # The key belongs to the staff member who used it: a colleague's same key is another request.
    other = await stack.api.post("/refunds", json=body, headers=SUPPORT_2 | {"Idempotency-Key": "ticket-4711"})
    assert other.status_code == 409 and "already has an open refund" in other.json()["detail"]


async def test_idempotency_key_replays_a_refund_whose_workflow_ended(stack: RefundStack) -> None:
    order = await stack.paid_order()
    body = {"order_id": order["order_id"], "reason": "changed_mind"}
    headers = SUPPORT | {"Idempotency-Key": "ticket-4712"}
    first = await stack.api.post("/refunds", json=body, headers=headers)
    assert first.status_code == 201, first.text
    refund_id = first.json()["refund_id"]
    await stack.handle(refund_id).result()
    await stack.wait_for_status(refund_id, "rejected")

    again = await stack.api.post("/refunds", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["refund_id"] == refund_id and again.json()["status"] == "rejected"
    assert again.json()["policy_decision"]["rule"] == "not_covered.personal_preference"
    assert len(await refunds_on(stack, order["order_id"])) == 1


async def test_nothing_left_to_refund_after_a_full_refund_settled(stack: RefundStack) -> None:
    order = await stack.paid_order()
    response = await stack.request_refund(order["order_id"], "not_activated")
    assert response.status_code == 201, response.text
    refund_id = response.json()["refund_id"]
    await stack.wait_for_status(refund_id, "settling")
    await stack.env.fast_forward(stack.handle(refund_id), timedelta(days=16))
    await stack.wait_for_status(refund_id, "settled")

    response = await stack.request_refund(order["order_id"], "wrong_plan")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "nothing_left_to_refund"
    assert response.json()["detail"].startswith(f"Nothing is left to refund on order {order['order_id']}")
    assert "refund_id" not in response.json()  # the settled refund has ended: nothing open to point at


async def test_list_filters_and_pages(stack: RefundStack) -> None:
    first = await stack.paid_order()
    second = await stack.paid_order(customer_id=first["customer_id"])
    third = await stack.paid_order()
    rejected = await stack.open_refund(first["order_id"], "changed_mind", "rejected")
    awaiting = await stack.open_refund(second["order_id"], "wrong_plan", "awaiting_approval")
    other = await stack.open_refund(third["order_id"], "wrong_plan", "awaiting_approval")

    async def ids(**params) -> tuple[list[str], int]:
        response = await stack.api.get("/refunds", params=params, headers=SUPPORT)
        assert response.status_code == 200, response.text
        page = response.json()
        return [item["refund_id"] for item in page["items"]], page["total"]

    assert await ids(customer_id=first["customer_id"]) == ([awaiting["refund_id"], rejected["refund_id"]], 2)
    assert await ids(order_id=third["order_id"]) == ([other["refund_id"]], 1)
    assert await ids(status="rejected") == ([rejected["refund_id"]], 1)
    assert await ids(status="awaiting_approval", customer_id=first["customer_id"]) == ([awaiting["refund_id"]], 1)
    assert await ids(status="settled") == ([], 0)

    newest_first = [other["refund_id"], awaiting["refund_id"], rejected["refund_id"]]
    assert await ids() == (newest_first, 3)
    assert await ids(limit=2) == (newest_first[:2], 3)
    assert await ids(limit=2, offset=2) == (newest_first[2:], 3)
    page = (await stack.api.get("/refunds", params={"limit": 2, "offset": 2}, headers=SUPPORT)).json()
    assert (page["limit"], page["offset"]) == (2, 2)

    bad = await stack.api.get("/refunds", params={"status": "done"}, headers=SUPPORT)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("status: ")
    assert (await stack.api.get("/refunds", params={"limit": 0}, headers=SUPPORT)).status_code == 422
