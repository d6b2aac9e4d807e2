"""GET /healthz names each unreachable dependency (the all-reachable case runs in the devstack test).

Without a valid staff token it says only reachable or unreachable: an exception's text is for staff (issue 11, item 12).
"""

from __future__ import annotations

import httpx
import pytest
from platform_support import SUPPORT, bearer


async def test_healthz_is_503_and_tells_staff_what_is_unreachable(api_without_stripe: httpx.AsyncClient) -> None:
    response = await api_without_stripe.get("/healthz", headers=SUPPORT)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True, "detail": "reachable"}
    assert body["temporal"] == {"ok": False, "detail": "ConnectionError: not connected yet"}
    assert body["stripe"]["ok"] is False
    assert "connect" in body["stripe"]["detail"].lower()


@pytest.mark.parametrize("headers", [{}, bearer("rfs_unknown")], ids=["no token", "unknown token"])
async def test_healthz_tells_a_stranger_only_what_is_unreachable(
    api_without_stripe: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await api_without_stripe.get("/healthz", headers=headers)
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "temporal": {"ok": False, "detail": "unreachable"},
        "database": {"ok": True, "detail": "reachable"},
        "stripe": {"ok": False, "detail": "unreachable"},
    }


async def test_healthz_needs_no_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/healthz", headers={"Authorization": "Bearer rfs_unknown"})
    assert response.status_code == 503
    assert set(response.json()) == {"status", "temporal", "database", "stripe"}
