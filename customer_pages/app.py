"""Mount the customer pages on the API's app: the refund page under /my-refund, styled by the console's Pico."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from core.settings import Settings
from customer_pages import refund_page, request_form
from customer_pages.rendering import HERE


def install_customer_pages(app: FastAPI, settings: Settings) -> None:
    """Serve the customers' pages; like the console's, they are not API operations (no OpenAPI entry)."""
    app.state.request_form_throttle = request_form.FormThrottle(
        settings.request_form_limit_per_client, settings.request_form_limit_per_order
    )
    # Before the pages, so the page's /{token} pattern never shadows a static file.
    app.mount("/my-refund/static", StaticFiles(directory=HERE / "static"), name="customer-static")
    app.include_router(refund_page.router)
    app.include_router(request_form.router)
