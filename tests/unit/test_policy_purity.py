"""The policy package stays workflow-safe: no clock, randomness, I/O or settings, no holidays at import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import domain.policy

POLICY_DIR = Path(domain.policy.__file__).parent
SOURCES = sorted(POLICY_DIR.glob("*.py")) + [POLICY_DIR.parent / "refunds.py"]
# Module-level clocks and randomness are caught by FORBIDDEN_MODULES; these catch methods and builtins.
FORBIDDEN_CALLS = {"now", "utcnow", "today", "uuid4", "open", "getenv", "sleep", "print", "input"}
FORBIDDEN_MODULES = {
    "os",
    "random",
    "uuid",
    "time",
    "core",
    "store",
    "stripe",
    "temporalio",
    "logging",
}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_clock_randomness_io_or_settings(source):
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES, ast.dump(node)
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, node.module
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            assert name not in FORBIDDEN_CALLS, f"{source.name}:{node.lineno} calls {name}()"


def test_importing_the_policy_does_not_load_holidays():
    code = "import sys, domain.policy; assert 'holidays' not in sys.modules, 'holidays imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
