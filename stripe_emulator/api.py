"""The /v1 request pipeline: auth, rate limit, faults, idempotency, the resource handler, the response."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from stripe_emulator import idempotency, routes
from stripe_emulator.auth import api_key_from
from stripe_emulator.context import Ctx
from stripe_emulator.errors import StripeError, unrecognized_url
from stripe_emulator.faults import Fault
from stripe_emulator.forms import decode_form, decode_json, fingerprint
from stripe_emulator.ids import new_request_id
from stripe_emulator.versions import check_api_version

if TYPE_CHECKING:
    from stripe_emulator.engine import Emulator

log = logging.getLogger(__name__)


class Answer:
    """A response being prepared: status, JSON body, headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    @classmethod
    def from_error(cls, error: StripeError, request_id: str) -> Answer:
        """Stripe's error body and headers."""
        return cls(error.status, error.body(request_id), error.headers)


async def _params(request: Request) -> dict[str, Any]:
    """Query parameters for GET/DELETE; the form (or JSON) body for POST."""
    if request.method in ("GET", "DELETE"):
        return decode_form(request.url.query)
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        return decode_json(raw)
    return decode_form(raw.decode("utf-8") or request.url.query)


async def drop_connection(send: Send) -> None:
    """Close the TCP connection without answering (the client sees a connection error)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        # Let the server notice the disconnect so it does not try to answer.
        await asyncio.sleep(0.05)
        return
    # Fallback for servers that hide the transport: start a response and never finish it.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})


class ApiApp:
    """ASGI app for /v1 paths."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = new_request_id()
        answer = await self._answer(request, request_id)
        if answer is None:
            await drop_connection(send)
            return
        answer.headers.setdefault(
            "Stripe-Version", request.headers.get("stripe-version", self.emu.settings.api_version)
        )
        answer.headers["Request-Id"] = request_id
        payload = (json.dumps(answer.body, indent=2) + "\n").encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        headers += [(k.lower().encode(), str(v).encode()) for k, v in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        if self.emu.record_responses:
            record = {"method": request.method, "path": request.url.path, "status": answer.status, "body": answer.body}
            with self.emu.record_responses.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": answer.status,
                "request_id": request_id,
            },
        )

    async def _answer(self, request: Request, request_id: str) -> Answer | None:
        """The response to send, or None to drop the connection; faults apply to authenticated, routed requests."""
        method, path = request.method, request.url.path
        try:
            api_key = api_key_from(request.headers.get("authorization"))
            check_api_version(request.headers.get("stripe-version"), self.emu.settings.api_version)
            self.emu.rate_limiter.check(method, self.emu.settings.rate_limit)
            found = routes.match(method, path)
            if found is None:
                raise unrecognized_url(method, path)
            params = await _params(request)
        except StripeError as error:
            return Answer.from_error(error, request_id)
        fault = self.emu.faults.take(method, path)
        if fault and fault.when == "before" and (fault.drop_connection or fault.status):
            await asyncio.sleep(fault.latency_ms / 1000)
            return None if fault.drop_connection else Answer.from_error(fault.stripe_error(), request_id)
        key = request.headers.get("idempotency-key") if method == "POST" else None
        if key is None:
            answer = await self._execute(found, params, request_id, None, None, fault)
        else:
            answer = await self._idempotent(found, params, request_id, api_key, key, method, path, fault)
        if fault and fault.when == "after":
            return await self._after_fault(fault, answer, request_id, api_key, key)
        return answer

    async def _idempotent(self, found, params, request_id, api_key, key, method, path, fault) -> Answer:
        """Replay, refuse, or run-and-save a request carrying an Idempotency-Key."""
        scope = idempotency.scope_key(api_key, key)
        signature = fingerprint(params)
        async with self.emu.lock:
            try:
                idempotency.check_key(key)
                record = idempotency.lookup(self.emu.state, scope, self.emu.settings.idempotency_ttl)
                if record is not None:
                    idempotency.compare(record, key, method, path, signature)
            except StripeError as error:
                return Answer.from_error(error, request_id)
            if record is not None:
                headers = {**record["headers"], "Idempotent-Replayed": "true", "Idempotency-Key": key}
                headers["Original-Request"] = record["request_id"]
                return Answer(record["status"], record["body"], headers)
            record = idempotency.begin(self.emu.state, scope, method, path, signature, request_id)
        try:
            answer = await self._execute(found, params, request_id, key, (scope, record), fault)
        except BaseException:
            # Cancelled mid-flight (shutdown): free the key so a retry is not refused forever.
            if record["status"] is None and self.emu.state.idempotency.get(scope) is record:
                idempotency.forget(self.emu.state, scope)
            raise
        answer.headers.update({"Idempotency-Key": key, "Original-Request": request_id})
        return answer

    async def _execute(self, found, params, request_id, key, record, fault) -> Answer:
        """Run the handler under the state lock, save its result (and idempotency record), start side effects."""
        if fault and fault.when == "before" and fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        handler, path_params = found
        ctx = Ctx(self.emu, request_id=request_id, idempotency_key=key)
        async with self.emu.lock:
            saved = True
            try:
                answer = Answer(200, handler(ctx, params, **path_params))
            except StripeError as error:
                answer, saved = Answer.from_error(error, request_id), error.saved
            except Exception:
                log.exception("handler failed", extra={"request_id": request_id})
                answer = Answer.from_error(StripeError(500, "An unknown error occurred", type="api_error"), request_id)
            if record is not None:
                scope, _ = record
                if saved:
                    if answer.status >= 500:
                        # As on Stripe: a retry with this key would replay this saved answer, so the SDK need not.
                        # Without a key nothing is saved and a retry may succeed, so no header is sent then.
                        answer.headers["Stripe-Should-Retry"] = "false"
                    idempotency.save(self.emu.state, scope, answer.status, answer.body, dict(answer.headers))
                else:
                    idempotency.forget(self.emu.state, scope)
            # Durable before answering: the response leaves only once its change is fsync'd.
            await self.emu.persist()
        self.emu.after_commit(ctx)
        return answer

    async def _after_fault(self, fault: Fault, answer: Answer, request_id: str, api_key: str, key: str | None):
        """The request took effect; now answer with the injected error, latency or dropped connection."""
        await asyncio.sleep(fault.latency_ms / 1000)
        if fault.drop_connection:
            return None
        if not fault.status:
            return answer
        injected = Answer.from_error(fault.stripe_error(), request_id)
        if fault.idempotent_replay and key:
            # As with Stripe's own 500s, the error (not the real result) is what retries will replay.
            async with self.emu.lock:
                scope = idempotency.scope_key(api_key, key)
                if scope in self.emu.state.idempotency:
                    injected.headers.setdefault("Stripe-Should-Retry", "false")
                    idempotency.save(self.emu.state, scope, injected.status, injected.body, dict(injected.headers))
                    await self.emu.persist()
        return injected
