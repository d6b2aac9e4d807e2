"""`python -m devstack` (what `make run` runs): the whole service on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import sys

from core.logs import configure_logging
from core.settings import get_settings
from devstack.config import StackConfig, StackConfigError
from devstack.supervisor import Supervisor

log = logging.getLogger("devstack")


def main() -> int:
    """Read settings, start the stack, return its exit code."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        config = StackConfig.from_settings(settings)
    except StackConfigError as error:
        log.error(f"cannot start the embedded stack: {error}")
        return 2
    return asyncio.run(Supervisor(config).run())


if __name__ == "__main__":
    sys.exit(main())
