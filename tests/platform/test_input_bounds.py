"""Odd input gets a 4xx sentence, and a bug of ours a JSON 500 with a reference: never a plain-text 500 (issue 11)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from platform_support import SHOP, api_settings
from pydantic import ValidationError

from api.app import create_app
from services.refunds import RefundCreate


@pytest.mark.parametrize("amount", ["100", True, 2**63, 0, -5], ids=["string", "boolean", "2**63", "zero", "negative"])
async def test_an_amount_must_be_a_bounded_positive_json_integer(
    api: httpx.AsyncClient, unique, amount, order_body
) -> None:
    response = await api.post(
        "/orders", headers=SHOP, json=order_body(unique("ord"), unique("cus")) | {"amount_minor": amount}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("amount_minor: ")


@pytest.mark.parametrize("amount", ["100", True, 2**63, 0], ids=["string", "boolean", "2**63", "zero"])
def test_a_refund_amount_must_be_a_bounded_positive_json_integer(amount) -> None:
    # The model itself: over HTTP (Temporal unreachable here) the Temporal dependency answers 503 before the body
    # is validated.
    with pytest.raises(ValidationError) as refused:
        RefundCreate.model_validate({"order_id": "ord-1", "reason": "wrong_plan", "amount_minor": amount})
    assert [e["loc"] for e in refused.value.errors()] == [("amount_minor",)]


@pytest.mark.parametrize("path", ["/refunds", "/settlements", "/settlements.csv"])
async def test_an_offset_beyond_any_list_is_refused(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path, params={"offset": 2**63}, headers={"Authorization": "Bearer dev-admin-1"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("offset: ")


async def test_a_bug_of_ours_answers_json_with_a_reference(tmp_path: Path, database_url: str) -> None:
    app = create_app(api_settings(database_url, tmp_path))

    @app.get("/_boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            response = await client.get("/_boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["reference"] in body["detail"] and "a bug" not in body["detail"]
