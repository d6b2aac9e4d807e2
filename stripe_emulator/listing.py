"""List endpoints: newest first, `limit`/`starting_after`/`ending_before` pagination, `created` filters.

A page costs about `limit` objects however large the collection: positions are kept sorted (see State.order)
and filters the service uses go through indexes (State.index).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid, no_such
from stripe_emulator.params import Params
from stripe_emulator.render import expand, public
from stripe_emulator.state import OrderKey, order_key

LIST_PARAMS = ("limit", "starting_after", "ending_before", "created")
_RANGE_OPERATORS = {"gt", "gte", "lt", "lte"}


@dataclass
class Selection:
    """What a list endpoint lists: list positions (ascending) and an optional test for each object."""

    keys: Sequence[OrderKey]
    objects: dict[str, dict[str, Any]]
    keep: Callable[[dict[str, Any]], bool] | None = None

    def matches(self, obj: dict[str, Any]) -> bool:
        """Whether an object of the collection is in the selection."""
        return self.keep is None or self.keep(obj)


def select(ctx: Ctx, collection: str, **filters: Any) -> Selection:
    """Objects whose fields equal the given (non-None) filters, found through an index when one applies.

    Without filters this is the collection's own ordered positions (no copy, no sort); with an indexed filter,
    only that field value's objects are sorted; other filters are tested on those.
    """
    state = ctx.state
    wanted = {name: value for name, value in filters.items() if value is not None}
    objects = state.collection(collection)
    indexed = next((name for name in wanted if (collection, name) in state.index), None)
    if indexed is None:
        keys: Sequence[OrderKey] = state.ordered(collection)
    else:
        keys = sorted(order_key(o) for o in state.where(collection, indexed, wanted.pop(indexed)))
    keep = (lambda obj: all(obj.get(k) == v for k, v in wanted.items())) if wanted else None
    return Selection(keys, objects, keep)


def selection_of(items: Iterable[dict[str, Any]], objects: dict[str, dict[str, Any]] | None = None) -> Selection:
    """A selection of given objects (for filters no index serves)."""
    listed = {o["id"]: o for o in items}
    return Selection(sorted(map(order_key, listed.values())), objects if objects is not None else listed, None)


def _created_range(params: Params, keys: Sequence[OrderKey]) -> tuple[int, int]:
    """The index range of `keys` that `created=<ts>` or `created[gte]=<ts>`-style bounds allow."""
    lo, hi = 0, len(keys)
    value = params.raw.get("created")
    if value is None or value == "":
        return lo, hi
    if not isinstance(value, dict):
        exact = params.integer("created", required=True)
        return bisect.bisect_left(keys, (exact,)), bisect.bisect_left(keys, (exact + 1,))
    unknown = set(value) - _RANGE_OPERATORS
    if unknown:
        raise invalid(f"Received unknown parameter: created[{sorted(unknown)[0]}]", code="parameter_unknown")
    for op, raw in value.items():
        try:
            bound = int(raw)
        except (TypeError, ValueError):
            raise invalid(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=f"created[{op}]") from None
        # Positions are (created, seq, id): (t,) sorts before every position created at t.
        if op == "gt":
            lo = max(lo, bisect.bisect_left(keys, (bound + 1,)))
        elif op == "gte":
            lo = max(lo, bisect.bisect_left(keys, (bound,)))
        elif op == "lt":
            hi = min(hi, bisect.bisect_left(keys, (bound,)))
        else:
            hi = min(hi, bisect.bisect_left(keys, (bound + 1,)))
    return lo, hi


def _cursor(selection: Selection, object_id: str, lo: int, hi: int, noun: str, param: str) -> int:
    """The index of a pagination cursor among the selected positions, or Stripe's resource_missing."""
    obj = selection.objects.get(object_id)
    if obj is not None and selection.matches(obj):
        key = order_key(obj)
        at = bisect.bisect_left(selection.keys, key, lo, hi)
        if at < hi and selection.keys[at] == key:
            return at
    raise no_such(noun, object_id, param=param, status=400)


def _walk(selection: Selection, indices: range, wanted: int) -> list[dict[str, Any]]:
    """Up to `wanted` selected objects at these indices, in the order walked."""
    found = []
    for at in indices:
        obj = selection.objects[selection.keys[at][2]]
        if selection.matches(obj):
            found.append(obj)
            if len(found) == wanted:
                break
    return found


def list_response(
    ctx: Ctx,
    items: Selection | Iterable[dict[str, Any]],
    params: Params,
    url: str,
    noun: str,
) -> dict[str, Any]:
    """A Stripe list object for the page the parameters select (newest first; reads only about one page)."""
    selection = items if isinstance(items, Selection) else selection_of(items)
    limit = params.integer("limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be an integer between 1 and 100.", param="limit")
    lo, hi = _created_range(params, selection.keys)
    after, before = params.id("starting_after"), params.id("ending_before")
    if after and before:
        raise invalid("You may only specify one of these parameters: starting_after, ending_before.")
    if before:
        at = _cursor(selection, before, lo, hi, noun, "ending_before")
        newer = _walk(selection, range(at + 1, hi), limit + 1)
        page, has_more = newer[:limit][::-1], len(newer) > limit
    else:
        start = _cursor(selection, after, lo, hi, noun, "starting_after") if after else hi
        older = _walk(selection, range(start - 1, lo - 1, -1), limit + 1)
        page, has_more = older[:limit], len(older) > limit
    body = {"object": "list", "data": [public(ctx, o) for o in page], "has_more": has_more, "url": url}
    return expand(ctx, body, params.expand())
