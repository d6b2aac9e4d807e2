"""Standard Webhooks signatures (the `standardwebhooks` package): the headers one delivery attempt carries."""

from __future__ import annotations

import json
from datetime import datetime
from math import floor
from typing import Any

from standardwebhooks.webhooks import Webhook


def body_of(payload: dict[str, Any]) -> str:
    """The exact JSON text that is signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signed_headers(secret: str, event_id: str, body: str, at: datetime) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` for `body` sent at `at` (re-signed each attempt)."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "content-type": "application/json",
    }
