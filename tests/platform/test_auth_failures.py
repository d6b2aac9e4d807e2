"""Failed sign-ins are limited per client address (issue 11, item 12): 300 wrong tokens in a second get 429s.

Only unknown or revoked tokens count. Past the limit every token from that address is refused with 429 and
Retry-After, a good one too (otherwise a right guess would still stand out), until the window passes; other addresses
are not affected, and /healthz stops telling that address anything a token would show.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from platform_support import SUPPORT, api_settings, bearer
from pydantic import ValidationError

from api.app import create_app
from core.settings import Settings

Clients = Callable[[str], httpx.AsyncClient]
WRONG = bearer("rfs_a-wrong-guess")


@asynccontextmanager
async def app_clients(settings: Settings) -> AsyncIterator[Clients]:
    """One app; `client(address)` is an HTTP client to it from that address."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        opened: list[httpx.AsyncClient] = []

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            opened.append(httpx.AsyncClient(transport=transport, base_url="http://api.test"))
            return opened[-1]

        try:
            yield client
        finally:
            for each in opened:
                await each.aclose()


@pytest.fixture
async def clients(database_url: str, tmp_path: Path) -> AsyncIterator[Clients]:
    """The API with the default limit (20 failures a minute)."""
    async with app_clients(api_settings(database_url, tmp_path)) as client:
        yield client


async def test_after_20_wrong_tokens_the_address_gets_429_even_with_a_good_token(clients: Clients) -> None:
    attacker = clients("203.0.113.7")
    for _ in range(20):
        assert (await attacker.get("/customers/nobody", headers=WRONG)).status_code == 401
    for headers in (WRONG, SUPPORT):
        refused = await attacker.get("/customers/nobody", headers=headers)
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["detail"].startswith(
            "Too many unknown or revoked staff tokens were sent from this address; sign-ins from it are refused for "
        )
    # A body is not read either: the address is refused before it.
    posted = await attacker.post("/customers/nobody/contacts", content=b"{", headers=SUPPORT)
    assert posted.status_code == 429


async def test_300_wrong_tokens_at_once_are_mostly_refused(clients: Clients) -> None:
    attacker = clients("203.0.113.8")
    answers = await asyncio.gather(*(attacker.get("/orders/x", headers=WRONG) for _ in range(300)))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) == {401, 429}
    # Requests checked at the same moment may each still pass before the others are counted, so not exactly 280.
    assert statuses.count(429) >= 200


async def test_another_address_and_good_tokens_are_not_affected(clients: Clients) -> None:
    attacker, colleague = clients("203.0.113.9"), clients("198.51.100.4")
    for _ in range(21):
        await attacker.get("/customers/nobody", headers=WRONG)
    assert (await attacker.get("/customers/nobody", headers=SUPPORT)).status_code == 429
    for _ in range(30):  # good tokens are never counted
        assert (await colleague.get("/customers/nobody", headers=SUPPORT)).status_code == 404
    assert (await colleague.get("/customers/nobody", headers=WRONG)).status_code == 401


async def test_a_missing_token_is_not_a_guess(clients: Clients) -> None:
    prober = clients("203.0.113.10")
    for _ in range(30):
        assert (await prober.get("/customers/nobody")).status_code == 401
    assert (await prober.get("/customers/nobody", headers=SUPPORT)).status_code == 404


async def test_the_address_may_sign_in_again_once_the_window_passes(database_url: str, tmp_path: Path) -> None:
    settings = api_settings(database_url, tmp_path).model_copy(update={"auth_failure_limit": "3 per 2 seconds"})
    async with app_clients(settings) as client:
        attacker = client("203.0.113.11")
        for _ in range(3):
            assert (await attacker.get("/customers/nobody", headers=WRONG)).status_code == 401
        refused = await attacker.get("/customers/nobody", headers=SUPPORT)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) <= 2
        await asyncio.sleep(2.1)
        assert (await attacker.get("/customers/nobody", headers=SUPPORT)).status_code == 404


async def test_healthz_tokens_count_and_past_the_limit_it_shows_no_detail(database_url: str, tmp_path: Path) -> None:
    async with app_clients(api_settings(database_url, tmp_path)) as client:
        attacker = client("203.0.113.12")
        for _ in range(20):
            assert (await attacker.get("/healthz", headers=WRONG)).json()["temporal"]["detail"] == "unreachable"
        assert (await attacker.get("/customers/nobody", headers=SUPPORT)).status_code == 429
        health = await attacker.get("/healthz", headers=SUPPORT)
        assert health.status_code == 503  # the probe still answers, as to a stranger
        assert health.json()["temporal"] == {"ok": False, "detail": "unreachable"}


@pytest.mark.parametrize("limit", ["often", "0/minute"])
def test_a_limit_limits_cannot_read_is_refused_at_start(limit: str) -> None:
    with pytest.raises(ValidationError, match="is not a rate limit"):
        Settings(_env_file=None, auth_failure_limit=limit)
