"""List endpoints: newest first, `limit`/`starting_after`/`ending_before` pagination, `created` filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid, no_such
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public

LIST_PARAMS = ("limit", "starting_after", "ending_before", "created")
_RANGE_OPERATORS = {"gt", "gte", "lt", "lte"}


def created_filter(params: Params) -> Callable[[dict[str, Any]], bool]:
    """`created=<ts>` or `created[gte]=<ts>`-style bounds."""
    value = params.raw.get("created")
    if value is None or value == "":
        return lambda obj: True
    if not isinstance(value, dict):
        exact = params.integer("created")
        return lambda obj: obj["created"] == exact
    unknown = set(value) - _RANGE_OPERATORS
    if unknown:
        raise invalid(f"Received unknown parameter: created[{sorted(unknown)[0]}]", code="parameter_unknown")
    bounds = {}
    for op, raw in value.items():
        try:
            bounds[op] = int(raw)
        except (TypeError, ValueError):
            raise invalid(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=f"created[{op}]") from None

    def matches(obj: dict[str, Any]) -> bool:
        created = obj["created"]
        return (
            created > bounds.get("gt", created - 1)
            and created >= bounds.get("gte", created)
            and created < bounds.get("lt", created + 1)
            and created <= bounds.get("lte", created)
        )

    return matches


def list_response(
    ctx: Ctx,
    items: Iterable[dict[str, Any]],
    params: Params,
    url: str,
    noun: str,
) -> dict[str, Any]:
    """A Stripe list object for the page the parameters select."""
    limit = params.integer("limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be an integer between 1 and 100.", param="limit")
    keep = created_filter(params)
    ordered = sorted((o for o in items if keep(o)), key=lambda o: (o["created"], o["_seq"]), reverse=True)
    ids = [o["id"] for o in ordered]
    after, before = params.id("starting_after"), params.id("ending_before")
    if after and before:
        raise invalid("You may only specify one of these parameters: starting_after, ending_before.")
    if after:
        if after not in ids:
            raise no_such(noun, after, param="starting_after", status=400)
        ordered = ordered[ids.index(after) + 1 :]
        page, has_more = ordered[:limit], len(ordered) > limit
    elif before:
        if before not in ids:
            raise no_such(noun, before, param="ending_before", status=400)
        ordered = ordered[: ids.index(before)]
        page, has_more = ordered[-limit:], len(ordered) > limit
    else:
        page, has_more = ordered[:limit], len(ordered) > limit
    body = {"object": "list", "data": [public(ctx, o) for o in page], "has_more": has_more, "url": url}
    return expand(ctx, body, params.expand())
