"""Every route refuses what it must before FastAPI reads the body: too large (413), then no staff token (401/429).

FastAPI reads and parses a body before it runs any dependency, so a stranger's 20 MB or malformed body would be parsed
and answered 422 before anyone asked who sent it. This route class checks the size and the token first, reads the body
with a cap (a chunked body has no Content-Length to trust), and answers a body that is not a JSON object with a
sentence; FastAPI's own handler then runs on the body already read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from contextlib import aclosing
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from api.auth import authenticated_actor
from api.deps import get_actor
from services.errors import InvalidInput

JSON_OBJECT_EXAMPLE = 'a JSON object such as {"note": "..."} with the fields this operation takes (see /docs)'


def dependency_calls(dependant: Dependant) -> set[Callable[..., Any] | None]:
    """Every callable a route depends on, however deep."""
    calls: set[Callable[..., Any] | None] = set()
    for dependency in dependant.dependencies:
        calls.add(dependency.call)
        calls |= dependency_calls(dependency)
    return calls


def too_large(limit: int) -> HTTPException:
    """413 naming the limit."""
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"The request body is larger than the {limit:,} bytes this service accepts; nothing was read or recorded.",
    )


def declared_length(request: Request) -> int | None:
    """The Content-Length the client declared, if it is a number."""
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and refused as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
    except ClientDisconnect as error:  # nobody is left to read the answer; said for the log
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The client left before sending the whole body.") from error
    body = b"".join(chunks)
    # Starlette's cache of the body: FastAPI's handler reads it from here, the stream being spent.
    request._body = body
    return body


def is_json_media_type(content_type: str | None) -> bool:
    """application/json or application/<something>+json, as FastAPI parses."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def parse_json_object(request: Request, body: bytes) -> None:
    """Refuse, with a sentence, a body that is missing, not JSON, or JSON that is not an object."""
    if not body:
        raise InvalidInput(f"The request has no body; send {JSON_OBJECT_EXAMPLE}.", code="body_missing")
    if not is_json_media_type(request.headers.get("content-type")):
        raise InvalidInput(
            f"The request body must be JSON, sent with the header 'Content-Type: application/json': "
            f"{JSON_OBJECT_EXAMPLE}.",
            code="body_not_json",
        )
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, or nested too deep to read
        raise InvalidInput(
            f"The request body is not valid JSON; send {JSON_OBJECT_EXAMPLE}.", code="body_not_json"
        ) from error
    if not isinstance(parsed, dict):
        raise InvalidInput(
            f"The request body must be a JSON object, not {_json_kind(parsed)}; send {JSON_OBJECT_EXAMPLE}.",
            code="body_not_object",
        )
    # Starlette's cache of the parsed body: FastAPI validates this instead of parsing the bytes again.
    request._json = parsed


def _json_kind(value: Any) -> str:
    """'a list', 'a string', ... for the sentence."""
    kinds = {list: "a list", str: "a string", bool: "true or false", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), "a JSON value")


class GuardedRoute(APIRoute):
    """An APIRoute that checks size, then the staff token, then reads and checks the body, then runs FastAPI's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        authenticates = get_actor in dependency_calls(self.dependant)
        takes_json_object = self.body_field is not None

        async def guarded(request: Request) -> Response:
            limit: int = request.app.state.settings.api_max_body_bytes
            declared = declared_length(request)
            if declared is not None and declared > limit:
                raise too_large(limit)
            if authenticates:
                await run_in_threadpool(authenticated_actor, request)
            body = await read_capped(request, limit)
            if takes_json_object:
                parse_json_object(request, body)
            return await handler(request)

        return guarded
