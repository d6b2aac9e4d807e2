"""/docs and /redoc from files we serve ourselves: FastAPI's defaults load them from a CDN, blank offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# swagger-ui-dist 5 (OpenAPI 3.1, which FastAPI writes) and ReDoc 2's standalone bundle, vendored from npm.
ASSETS = Path(__file__).with_name("static") / "docs"
ASSETS_URL = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs and ReDoc at /redoc with local assets (create the app with docs_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    favicon = f"{ASSETS_URL}/favicon-32x32.png"

    async def swagger_ui(_request: Request) -> HTMLResponse:
        """Swagger UI over our OpenAPI document."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
        )

    async def redoc(_request: Request) -> HTMLResponse:
        """ReDoc over our OpenAPI document, without Google's fonts."""
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

    # Plain Starlette routes, like FastAPI's own docs routes: not operations of the API.
    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
