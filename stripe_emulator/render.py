"""The public form of stored objects: internal fields removed, computed sub-lists filled, expansions applied."""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid
from stripe_emulator.state import collection_for, order_key

# Objects an embedded sub-list shows before `has_more`.
_SUBLIST_PAGE = 10


def public(ctx: Ctx, obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy without `_`-prefixed fields, with computed parts (a dispute's balance transactions).

    A charge's `refunds` is left out, as Stripe does since API version 2022-11-15; `expand[]=refunds` adds it.
    """
    out = {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
    kind = obj.get("object")
    if kind == "charge":
        out.pop("refunds", None)
    elif kind == "dispute":
        transactions = ctx.state.collection("balance_transactions")
        out["balance_transactions"] = [public(ctx, transactions[t]) for t in obj.get("_balance_transactions", [])]
    return out


def charge_refunds(ctx: Ctx, charge_id: str) -> dict[str, Any]:
    """The `refunds` sub-list of an expanded charge: its newest refunds, a page of ten."""
    refunds = sorted(ctx.state.where("refunds", "charge", charge_id), key=order_key, reverse=True)
    return {
        "data": [public(ctx, r) for r in refunds[:_SUBLIST_PAGE]],
        "has_more": len(refunds) > _SUBLIST_PAGE,
        "object": "list",
        "url": f"/v1/charges/{charge_id}/refunds",
    }


def expand(ctx: Ctx, data: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Replace ID fields named by `expand[]` paths (`charge`, `data.payment_intent`, `latest_charge.refunds`...)."""
    for path in paths:
        _expand_path(ctx, data, path.split("."), path)
    return data


def _expand_path(ctx: Ctx, node: Any, parts: list[str], full: str) -> None:
    """Walk one expansion path, turning IDs into objects."""
    if not parts:
        return
    if isinstance(node, dict) and node.get("object") == "list" and parts[0] == "data":
        for item in node["data"]:
            _expand_path(ctx, item, parts[1:], full)
        return
    if isinstance(node, dict) and node.get("object") == "charge" and parts[0] == "refunds" and "refunds" not in node:
        node["refunds"] = charge_refunds(ctx, node["id"])
    if not isinstance(node, dict) or parts[0] not in node:
        raise invalid(f"This property cannot be expanded ({full}).", param="expand")
    value = node[parts[0]]
    if isinstance(value, str):
        found = ctx.find(value) if collection_for(value) else None
        if found is None:
            raise invalid(f"This property cannot be expanded ({full}).", param="expand")
        value = node[parts[0]] = public(ctx, found)
    if value is not None:
        _expand_path(ctx, value, parts[1:], full)
