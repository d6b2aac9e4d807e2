"""The control API under /_emulator (never part of Stripe's API): health, reset, settings, faults, timers."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stripe_emulator import __version__, idempotency
from stripe_emulator.context import Ctx
from stripe_emulator.render import public
from stripe_emulator.resources import disputes

DISPUTE_REASONS = (
    "bank_cannot_process",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
)

if TYPE_CHECKING:
    from stripe_emulator.engine import Emulator


def _bad(message: str, status: int = 400) -> JSONResponse:
    """A control-API error."""
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    """The JSON object body (empty when there is none)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("The body must be a JSON object.")
    return body


def control_routes(emu: Emulator) -> list[Route]:
    """Routes bound to one emulator."""

    async def health(request: Request) -> JSONResponse:
        counts = {name: len(items) for name, items in emu.state.objects.items()}
        return JSONResponse({"status": "ok", "version": __version__, "pid": os.getpid(), "objects": counts})

    async def reset(request: Request) -> JSONResponse:
        await emu.reset()
        return JSONResponse({"reset": True, "settings": emu.settings.as_dict()})

    async def config(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                emu.settings.update(await _json(request))
            except ValueError as exc:
                return _bad(str(exc))
        return JSONResponse(emu.settings.as_dict())

    async def faults(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                fault = emu.faults.add(await _json(request))
            except (TypeError, ValueError) as exc:
                return _bad(f"Invalid fault: {exc}")
            return JSONResponse(emu.faults.describe()[-1] | {"id": fault.id}, status_code=201)
        if request.method == "DELETE":
            count = len(emu.faults.rules)
            emu.faults.clear()
            return JSONResponse({"deleted": count})
        return JSONResponse({"data": emu.faults.describe()})

    async def fault_delete(request: Request) -> JSONResponse:
        if not emu.faults.remove(request.path_params["fault_id"]):
            return _bad("No such fault.", 404)
        return JSONResponse({"deleted": 1})

    async def expire_keys(request: Request) -> JSONResponse:
        try:
            body = await _json(request)
        except ValueError as exc:
            return _bad(str(exc))
        async with emu.lock:
            count = idempotency.expire_all(emu.state, body.get("key"))
            await emu.persist()
        return JSONResponse({"expired": count})

    async def deliveries(request: Request) -> JSONResponse:
        async with emu.lock:
            pending = list(emu.state.deliveries.values())
        return JSONResponse({"attempts": list(emu.webhooks.attempt_log), "pending": pending})

    async def endpoints(request: Request) -> JSONResponse:
        async with emu.lock:
            ctx = Ctx(emu)
            data = [
                public(ctx, e) | {"secret": e["_secret"]} for e in emu.state.collection("webhook_endpoints").values()
            ]
        return JSONResponse({"data": data})

    async def jobs(request: Request) -> JSONResponse:
        if request.method == "POST":
            return JSONResponse({"ran": await emu.scheduler.run_all_now()})
        async with emu.lock:
            pending = sorted(emu.state.jobs.values(), key=lambda j: j["due_at"])
        return JSONResponse({"data": pending, "now": time.time()})

    async def open_dispute(request: Request) -> JSONResponse:
        try:
            body = await _json(request)
        except ValueError as exc:
            return _bad(str(exc))
        status, reason = body.get("status", "needs_response"), body.get("reason", "fraudulent")
        if status not in ("needs_response", "warning_needs_response"):
            return _bad("status must be needs_response or warning_needs_response.")
        if reason not in DISPUTE_REASONS:
            return _bad(f"reason must be one of {', '.join(DISPUTE_REASONS)}.")
        ctx = Ctx(emu)
        async with emu.lock:
            charge = emu.state.collection("charges").get(str(body.get("charge")))
            if charge is None or charge["status"] != "succeeded":
                return _bad("charge must name a succeeded charge.", 404)
            if disputes.fully_refunded(charge):
                return _bad(
                    f"Charge {charge['id']} is fully refunded; Stripe opens no dispute on a fully refunded charge."
                )
            dispute = disputes.open_dispute(ctx, charge, status, reason)
            await emu.persist()
            answer = public(ctx, dispute)
        emu.after_commit(ctx)
        return JSONResponse(answer, status_code=201)

    async def escalate_dispute(request: Request) -> JSONResponse:
        ctx = Ctx(emu)
        async with emu.lock:
            dispute = emu.state.collection("disputes").get(request.path_params["dispute_id"])
            if dispute is None:
                return _bad("No such dispute.", 404)
            if dispute["status"] not in disputes.INQUIRY_OPEN:
                return _bad(f"Only an open inquiry can escalate; dispute {dispute['id']} is {dispute['status']}.")
            disputes.escalate(ctx, dispute)
            await emu.persist()
            answer = public(ctx, dispute)
        emu.after_commit(ctx)
        return JSONResponse(answer)

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/config", config, methods=["GET", "POST"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/faults/{fault_id}", fault_delete, methods=["DELETE"]),
        Route("/_emulator/expire_idempotency_keys", expire_keys, methods=["POST"]),
        Route("/_emulator/webhook_deliveries", deliveries, methods=["GET"]),
        Route("/_emulator/webhook_endpoints", endpoints, methods=["GET"]),
        Route("/_emulator/jobs", jobs, methods=["GET", "POST"]),
        Route("/_emulator/disputes", open_dispute, methods=["POST"]),
        Route("/_emulator/disputes/{dispute_id}/escalate", escalate_dispute, methods=["POST"]),
    ]
