"""/docs and /redoc render in a browser that can reach nothing but the service (as on an offline machine)."""

from __future__ import annotations

from conftest import Person
from playwright.async_api import Route, expect
from refund_support import RefundStack


async def test_swagger_ui_and_redoc_render_with_the_internet_cut_off(people, stack: RefundStack) -> None:
    reader: Person = await people()
    outside: list[str] = []

    async def only_the_service(route: Route) -> None:
        if route.request.url.startswith(reader.base_url):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await reader.context.route("**/*", only_the_service)
    page = await reader.open("/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Refund service", timeout=15_000)
    await expect(page.locator(".opblock-tag").first).to_be_visible()
    await reader.shot("api-docs-swagger")
    await reader.open("/redoc")
    await expect(page.locator("h1").first).to_contain_text("Refund service", timeout=15_000)
    await reader.shot("api-docs-redoc")
    assert outside == []
