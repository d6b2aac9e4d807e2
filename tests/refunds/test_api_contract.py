"""schemathesis `--checks all` over every operation with every role's token: no 5xx, no answer the schema does not say.

It runs against the whole stack (real Temporal, our workers, the emulator, a real database, the API over HTTP), once per
role, with few examples per operation and a fixed seed so a CI run is quick and repeatable.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from refund_support import RefundStack

from domain.roles import Role

READ_MODEL_BACKENDS = ["sqlite", "postgresql"]
SCHEMATHESIS = Path(sys.executable).with_name("st")
HOOKS = Path(__file__).with_name("api_contract_hooks.py")
TOKENS = {
    Role.SUPPORT: "dev-support-1",
    Role.APPROVER: "dev-approver-1",
    Role.FINANCE: "dev-finance-1",
    Role.ADMIN: "dev-admin-1",
    Role.SHOP: "dev-shop-1",
}
RUN_TIMEOUT_S = 100


@pytest.fixture
def settings_overrides() -> dict:
    """schemathesis tries each operation with a wrong token too: past 20 of those every request from its address
    would be a (documented) 429, and the rest of the run would check nothing."""
    return {"auth_failure_limit": "1000000/minute"}


@pytest.mark.timeout(RUN_TIMEOUT_S + 20)
@pytest.mark.parametrize("role", list(Role))
async def test_every_operation_keeps_the_contract(stack: RefundStack, role: Role, tmp_path: Path) -> None:
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "run",
        f"{stack.settings.public_api_url}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {TOKENS[role]}",
        "--max-examples",
        "10",
        "--seed",
        "20261203",
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=tmp_path,
        env=os.environ | {"SCHEMATHESIS_HOOKS": str(HOOKS)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    assert process.returncode == 0, output.decode()
