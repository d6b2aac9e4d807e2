"""Object templates from Stripe's official fixtures (vendored under fixtures/), so shapes match Stripe's."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

FIXTURE_FILE = "stripe_resources.json"


@lru_cache(maxsize=1)
def fixture_resources() -> dict[str, dict[str, Any]]:
    """`resources.<type>` of the vendored fixture file."""
    text = resources.files("stripe_emulator").joinpath("fixtures", FIXTURE_FILE).read_text("utf-8")
    return json.loads(text)["resources"]


def template(resource: str, path: str = "") -> dict[str, Any]:
    """A deep copy of a resource's fixture, or of a nested object inside it (`path` like `card.checks`)."""
    node: Any = fixture_resources()[resource]
    for part in filter(None, path.split(".")):
        node = node[part]
    return copy.deepcopy(node)


def build(resource: str, fields: dict[str, Any], *, path: str = "", extra: dict[str, Any] | None = None) -> dict:
    """The fixture object with every field overwritten; a missing or unknown field is a programming error.

    `extra` holds fields Stripe adds only in some states (e.g. a failed refund's `failure_reason`)
    and internal fields (prefixed `_`, never rendered).
    """
    obj = template(resource, path)
    missing = obj.keys() - fields.keys()
    unknown = fields.keys() - obj.keys()
    if missing or unknown:
        raise ValueError(
            f"{resource}{'.' + path if path else ''}: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    obj.update(fields)
    obj.update(extra or {})
    return obj
