"""Structured logging: one JSON object a line, with context fields, never secrets."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed through `extra=` and is context.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line with its `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record, its context and any exception."""
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        _lift_temporal_context(entry)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _lift_temporal_context(entry: dict) -> None:
    """Put the workflow id (and the refund or dispute id it names) at the top level of SDK log lines."""
    context = entry.get("temporal_workflow") or entry.get("temporal_activity")
    if not isinstance(context, dict) or "workflow_id" not in context:
        return
    workflow_id = str(context["workflow_id"])
    entry.setdefault("workflow_id", workflow_id)
    for prefix, key in (("refund-", "refund_id"), ("dispute-", "dispute_id")):
        if workflow_id.startswith(prefix):
            entry.setdefault(key, workflow_id.removeprefix(prefix))


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send every logger to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Access logs and HTTP client chatter drown the business events at INFO.
    for noisy in ("httpx", "httpcore", "uvicorn.access", "stripe"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
