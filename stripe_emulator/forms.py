"""Decode Stripe's bracketed form encoding (`metadata[k]=v`, `expand[0]=x`, `a[b][c]=v`) and JSON bodies."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from stripe_emulator.errors import invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def decode_form(raw: str) -> dict[str, Any]:
    """Turn `a[b][0]=x&c=y` into `{"a": {"b": ["x"]}, "c": "y"}`; values stay strings."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        match = _KEY.match(key)
        if not match:
            raise invalid(f"Invalid parameter name: {key}", param=key)
        path = [match.group(1), *_PART.findall(match.group(2))]
        _assign(root, path, value, key)
    return _lists(root)


def decode_json(raw: bytes) -> dict[str, Any]:
    """A JSON object body, accepted as an alternative to form encoding."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise invalid(f"Invalid JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise invalid("The JSON body must be an object.")
    return body


def _assign(node: dict[str, Any], path: list[str], value: str, key: str) -> None:
    """Walk/create containers along `path`; `[]` appends, a number is an index."""
    for position, part in enumerate(path):
        last = position == len(path) - 1
        if part == "":
            # `expand[]=a&expand[]=b`: each occurrence is a new element, numbered after the existing ones.
            part = str(len(node))
        if last:
            if isinstance(node.get(part), dict):
                raise invalid(f"Invalid parameter: {key} is both a value and a hash.", param=key)
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            if child == "":
                # `metadata=` then `metadata[k]=v`: the empty value (unset all) is replaced by the hash.
                child = node[part] = {}
            else:
                raise invalid(f"Invalid parameter: {key} is both a value and a hash.", param=key)
        node = child


def _lists(node: Any) -> Any:
    """Containers whose keys are all integers become lists, ordered by index."""
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted) and sorted(map(int, converted)) == list(range(len(converted))):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def fingerprint(params: dict[str, Any]) -> str:
    """A canonical form of the parameters, to compare a retry with the first request."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
