"""GET /healthz names each unreachable dependency (the all-reachable case runs in the devstack test)."""

from __future__ import annotations

import httpx


async def test_healthz_is_503_and_names_what_is_unreachable(api_without_stripe: httpx.AsyncClient) -> None:
    response = await api_without_stripe.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True, "detail": "reachable"}
    assert body["temporal"] == {"ok": False, "detail": "ConnectionError: not connected yet"}
    assert body["stripe"]["ok"] is False
    assert "connect" in body["stripe"]["detail"].lower()


async def test_healthz_needs_no_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/healthz", headers={"Authorization": "Bearer rfs_unknown"})
    assert response.status_code == 503
    assert set(response.json()) == {"status", "temporal", "database", "stripe"}
