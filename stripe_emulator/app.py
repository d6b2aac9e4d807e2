"""The ASGI application: /v1 goes through the Stripe pipeline, /_emulator to the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from stripe_emulator.api import ApiApp
from stripe_emulator.control_api import control_routes
from stripe_emulator.engine import Emulator


class EmulatorApp:
    """Dispatch by path: the control API and lifespan to Starlette, everything else to the Stripe API."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

        @asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            await emu.start()
            try:
                yield
            finally:
                await emu.stop()

        self.control = Starlette(routes=control_routes(emu), lifespan=lifespan)
        self.api = ApiApp(emu)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_emulator") or path == "/healthz":
            await self.control(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def create_app(emu: Emulator) -> EmulatorApp:
    """The app serving one emulator."""
    return EmulatorApp(emu)
