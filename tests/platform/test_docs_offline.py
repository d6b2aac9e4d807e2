"""/docs and /redoc load every file from the service itself: they work on a machine without internet."""

from __future__ import annotations

import re

import httpx
import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_local_files(api_without_stripe: httpx.AsyncClient, page: str) -> None:
    html = (await api_without_stripe.get(page)).text
    assert "openapi.json" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    for source in sources:
        answer = await api_without_stripe.get(source)
        assert answer.status_code == 200 and len(answer.content) > 500, source
