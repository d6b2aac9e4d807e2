"""Bodies are judged only after their sender is (issue 11, item 9): size first, then the token, then the body.

A stranger's body is never read whole or parsed: an oversized one is refused from its Content-Length (413) or, sent
chunked, as soon as it passes the limit; a malformed one without a valid token is a 401. A body that is missing, not
JSON or not a JSON object gets a sentence, not FastAPI's "Field required" or "JSON decode error".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from platform_support import SHOP, SUPPORT, bearer
from test_permission_matrix import ENDPOINTS, ROUTES, TOKENS

from api.guarded_route import GuardedRoute
from domain.permissions import permitted_roles

LIMIT = 1_048_576  # the default API_MAX_BODY_BYTES
TWENTY_MB = 20 * 1024 * 1024
CHUNK = 64 * 1024
STAFF_BODIES = sorted(key for key, route in ROUTES.items() if ENDPOINTS[key] is not None and route.body_field)


def url_of(path: str) -> str:
    """The path with made-up ids."""
    return re.sub(r"\{[a-z_]+\}", "bodies-missing", path)


def token_for(endpoint: tuple[str, str]) -> dict[str, str]:
    """A dev token whose role may call the endpoint."""
    action = ENDPOINTS[endpoint]
    assert action is not None
    role = next(role for role in TOKENS if role in permitted_roles(action))
    return bearer(TOKENS[role])


class CountedBody:
    """A body sent in chunks that counts how many of them the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.total // CHUNK):
            self.pulled += 1
            yield b"{" + b" " * (CHUNK - 1)


def test_every_route_is_guarded() -> None:
    assert all(isinstance(route, GuardedRoute) for route in ROUTES.values())


@pytest.mark.parametrize("endpoint", STAFF_BODIES, ids=lambda e: f"{e[0]} {e[1]}")
@pytest.mark.parametrize("headers", [{}, bearer("rfs_not-a-token")], ids=["no token", "unknown token"])
async def test_malformed_json_from_a_stranger_is_401(
    api: httpx.AsyncClient, endpoint: tuple[str, str], headers: dict[str, str]
) -> None:
    response = await api.post(
        url_of(endpoint[1]), content=b'{"note": ', headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("headers", [{}, SHOP], ids=["no token", "valid token"])
async def test_a_declared_20_mb_body_is_413_and_not_read(api: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = CountedBody(TWENTY_MB)
    response = await api.post(
        "/orders",
        content=body,
        headers=headers | {"Content-Type": "application/json", "Content-Length": str(TWENTY_MB)},
    )
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == (
        "The request body is larger than the 1,048,576 bytes this service accepts; nothing was read or recorded."
    )
    assert body.pulled == 0


async def test_a_chunked_body_is_cut_off_at_the_limit(api: httpx.AsyncClient) -> None:
    body = CountedBody(TWENTY_MB)
    response = await api.post("/orders", content=body, headers=SHOP | {"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert body.pulled == LIMIT // CHUNK + 1  # one chunk past the limit, never the other 19 MB


async def test_a_chunked_body_from_a_stranger_is_not_read_at_all(api: httpx.AsyncClient) -> None:
    body = CountedBody(TWENTY_MB)
    response = await api.post("/orders", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.text
    assert body.pulled == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
async def test_the_stripe_webhook_is_capped_too(api: httpx.AsyncClient, chunked: bool) -> None:
    body = CountedBody(TWENTY_MB)
    headers = {"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"}
    if not chunked:
        headers["Content-Length"] = str(TWENTY_MB)
    response = await api.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 413, response.text
    assert body.pulled <= LIMIT // CHUNK + 1


async def test_a_body_just_under_the_limit_is_read(api: httpx.AsyncClient, unique, order_body) -> None:
    body = order_body(unique("ord"), unique("cus"))
    padded = httpx.Request("POST", "/", json=body).content
    padded = padded[:-1] + b" " * (LIMIT - len(padded)) + b"}"
    assert len(padded) == LIMIT
    response = await api.post("/orders", content=padded, headers=SHOP | {"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("content", "content_type", "code", "sentence"),
    [
        (b"", "application/json", "body_missing", "The request has no body; send a JSON object"),
        (b'{"note": ', "application/json", "body_not_json", "The request body is not valid JSON; send a JSON object"),
        (b"\xff\xfe{}", "application/json", "body_not_json", "The request body is not valid JSON"),
        (b"[" * 100_000, "application/json", "body_not_json", "The request body is not valid JSON"),
        (b'["a note"]', "application/json", "body_not_object", "The request body must be a JSON object, not a list"),
        (b'"a note"', "application/json", "body_not_object", "The request body must be a JSON object, not a string"),
        (b"null", "application/json", "body_not_object", "The request body must be a JSON object, not null"),
        (b'{"note": "x"}', "text/plain", "body_not_json", "The request body must be JSON, sent with the header"),
    ],
    ids=["missing", "truncated", "not utf-8", "nested too deep", "list", "string", "null", "text/plain"],
)
async def test_a_body_that_is_not_a_json_object_gets_a_sentence(
    api: httpx.AsyncClient, content: bytes, content_type: str, code: str, sentence: str
) -> None:
    response = await api.post(
        "/customers/bodies-missing/contacts", content=content, headers=SUPPORT | {"Content-Type": content_type}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == code
    assert body["detail"].startswith(sentence), body["detail"]
    assert "Field required" not in body["detail"] and "JSON decode error" not in body["detail"]


@pytest.mark.parametrize("endpoint", STAFF_BODIES, ids=lambda e: f"{e[0]} {e[1]}")
async def test_every_staff_body_gets_the_sentence(api: httpx.AsyncClient, endpoint: tuple[str, str]) -> None:
    response = await api.post(url_of(endpoint[1]), headers=token_for(endpoint))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "body_missing"
