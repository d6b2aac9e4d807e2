"""Typed reading of request parameters, with Stripe's validation errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

from stripe_emulator.errors import invalid, missing_parameter, unknown_parameter

_COMMON = {"expand"}


class Params:
    """Parameters of one request; each endpoint declares what it accepts."""

    def __init__(self, raw: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed_set = set(allowed) | _COMMON
        for name in raw:
            if name not in allowed_set:
                raise unknown_parameter(name)
        self.raw = raw

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (an empty string counts)."""
        return name in self.raw

    @overload
    def string(self, name: str, *, required: Literal[True], max_length: int = 5000) -> str: ...
    @overload
    def string(self, name: str, *, required: bool = False, max_length: int = 5000) -> str | None: ...
    def string(self, name: str, *, required: bool = False, max_length: int = 5000) -> str | None:
        """A string parameter."""
        value = self.raw.get(name)
        if value is None:
            if required:
                raise missing_parameter(name)
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise invalid(f"Invalid string: {name} must be a string.", param=name)
        value = str(value)
        if len(value) > max_length:
            raise invalid(f"Invalid string: {name} must be at most {max_length} characters.", param=name)
        return value

    @overload
    def id(self, name: str, *, required: Literal[True]) -> str: ...
    @overload
    def id(self, name: str, *, required: bool = False) -> str | None: ...
    def id(self, name: str, *, required: bool = False) -> str | None:
        """An object ID (an empty string is treated as absent)."""
        return self.string(name, required=required, max_length=255) or None

    @overload
    def integer(self, name: str, *, required: Literal[True], minimum: int | None = None) -> int: ...
    @overload
    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> int | None: ...
    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
        """An integer parameter such as an amount in minor units."""
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise missing_parameter(name)
            return None
        if isinstance(value, bool):
            raise invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=name)
        try:
            number = int(value) if isinstance(value, int) else int(str(value).strip())
        except ValueError:
            raise invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=name) from None
        if minimum is not None and number < minimum:
            word = "positive" if minimum >= 1 else "non-negative"
            raise invalid(f"Invalid {word} integer", code="parameter_invalid_integer", param=name)
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        """A boolean parameter sent as `true`/`false`."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise invalid(f"Invalid boolean: {value}", param=name)

    def enum(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        """A string that must be one of `choices`."""
        value = self.string(name, required=required)
        if value is None or value == "":
            return None
        options = list(choices)
        if value not in options:
            listed = ", ".join(options[:-1]) + f", or {options[-1]}" if len(options) > 1 else options[0]
            raise invalid(f"Invalid {name}: must be one of {listed}", param=name)
        return value

    def hash(self, name: str) -> dict[str, Any] | None:
        """A nested hash parameter (`name[key]=value`)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(f"Invalid object: {name} must be a hash.", param=name)
        return value

    def string_list(self, name: str) -> list[str] | None:
        """An array of strings (`name[0]=a&name[1]=b`)."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            if value == "":
                return []
            raise invalid(f"Invalid array: {name} must be an array.", param=name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"Invalid array: {name} must be an array of strings.", param=name)
        return list(value)

    def metadata(self, current: dict[str, str] | None = None) -> dict[str, str] | None:
        """Metadata merged into `current`: an empty value unsets a key, `metadata=` unsets all."""
        if "metadata" not in self.raw:
            return None
        value = self.raw["metadata"]
        if value == "" or value is None:
            return {}
        if isinstance(value, list):
            # `metadata[0]=a` decodes as a list; metadata keys are strings.
            value = {str(index): item for index, item in enumerate(value)}
        if not isinstance(value, dict):
            raise invalid("Invalid object: metadata must be a hash.", param="metadata")
        merged = dict(current or {})
        for key, item in value.items():
            if len(key) > 40:
                raise invalid(
                    f"Metadata keys can have up to 40 characters, but you passed in a key that is "
                    f"{len(key)} characters. Invalid key: {key}",
                    param=f"metadata[{key}]",
                )
            if item == "" or item is None:
                merged.pop(key, None)
                continue
            if isinstance(item, (dict, list)):
                raise invalid(f"Invalid string: metadata[{key}] must be a string.", param=f"metadata[{key}]")
            item = str(item).lower() if isinstance(item, bool) else str(item)
            if len(item) > 500:
                raise invalid(
                    f"Metadata values can have up to 500 characters, but you passed in a value that is "
                    f"{len(item)} characters. Invalid value: {item[:20]}...",
                    param=f"metadata[{key}]",
                )
            merged[key] = item
        if len(merged) > 50:
            raise invalid("You can have at most 50 metadata keys.", param="metadata")
        return merged

    def expand(self) -> list[str]:
        """The `expand[]` paths."""
        return self.string_list("expand") or []
