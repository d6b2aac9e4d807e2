"""The public form of stored objects: internal fields removed, computed sub-lists filled, expansions applied."""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.context import Ctx
from stripe_emulator.errors import invalid
from stripe_emulator.state import collection_for


def public(ctx: Ctx, obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy without `_`-prefixed fields, with computed parts (charge refunds, dispute balance transactions)."""
    out = {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
    kind = obj.get("object")
    if kind == "charge":
        refunds = sorted(
            ctx.state.where("refunds", "charge", obj["id"]),
            key=lambda r: (r["created"], r["_seq"]),
            reverse=True,
        )
        out["refunds"] = {
            "data": [public(ctx, r) for r in refunds],
            "has_more": False,
            "object": "list",
            "url": f"/v1/charges/{obj['id']}/refunds",
        }
    elif kind == "dispute":
        transactions = ctx.state.collection("balance_transactions")
        out["balance_transactions"] = [public(ctx, transactions[t]) for t in obj.get("_balance_transactions", [])]
    return out


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
