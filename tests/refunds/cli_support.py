"""Running the `refunds` CLI against a test stack's API."""

from __future__ import annotations

import asyncio
import re

from refund_support import RefundStack
from typer.testing import CliRunner, Result

from cli.main import app

RUNNER = CliRunner()
REFUND_ID = re.compile(r"Refund (rf_[0-9a-z_]+)")


def refund_id_in(out: str) -> str:
    """The refund id the CLI printed."""
    found = REFUND_ID.search(out)
    assert found is not None, out
    return found.group(1)


async def refunds(stack: RefundStack, *args: str, token: str | None = "dev-support-1") -> Result:
    """Run the CLI in a thread (it calls the API this event loop serves), token and URL from the environment."""
    env: dict[str, str | None] = {"REFUNDS_API_URL": stack.settings.public_api_url, "REFUNDS_TOKEN": token}
    return await asyncio.to_thread(lambda: RUNNER.invoke(app, list(args), env=env))


def ok(result: Result) -> str:
    """The command's output, after checking it succeeded."""
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}"
    return result.stdout
