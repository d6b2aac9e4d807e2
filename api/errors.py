"""Error answers a support agent can read: one sentence in `detail`, field errors listed beside it.

Every service error maps to one HTTP status here, and only here.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError

from services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError, Unavailable
from services.temporal_errors import RETRY_AFTER_S, unavailable

log = logging.getLogger(__name__)
STATUS_OF: dict[type[ServiceError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Forbidden: status.HTTP_403_FORBIDDEN,
    InvalidInput: status.HTTP_422_UNPROCESSABLE_CONTENT,
    Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _field_message(error: dict[str, Any]) -> str:
    """'plan_months: the shop sells 1, 3, 6 or 12-month plans only' from a pydantic error."""
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    message = error.get("msg", "is invalid").removeprefix("Value error, ")
    if error.get("type") == "missing":
        message = "is required"
    elif error.get("type") == "extra_forbidden":
        message = "is not a field we know"
    return f"{location}: {message}" if location else message


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    """422 with a readable summary and the per-field list."""
    assert isinstance(exc, RequestValidationError)
    errors = [_field_message(error) for error in exc.errors()]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "; ".join(errors), "errors": errors},
    )


def status_of(error: ServiceError) -> int:
    """The HTTP status of a service error (its nearest mapped class)."""
    return next(
        (code for cls, code in STATUS_OF.items() if isinstance(error, cls)), status.HTTP_500_INTERNAL_SERVER_ERROR
    )


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    """The service's sentence in `detail`, with its extra fields (code, refund_id, ...) beside it."""
    assert isinstance(exc, ServiceError)
    extra = {key: value for key, value in exc.extra.items() if value is not None}
    # Unavailable: Stripe and agents try again after this long, nothing is lost.
    headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(exc, Unavailable) else None
    return JSONResponse(status_code=status_of(exc), content={"detail": exc.message, **extra}, headers=headers)


async def _temporal_error(request: Request, exc: Exception) -> JSONResponse:
    """A Temporal error no use case expected is the service failing, not the request: 503, try again (never a 500)."""
    return await _service_error(request, unavailable(exc))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    """The last line: a bug of ours answers a JSON sentence with a reference to the log, never a plain-text 500."""
    reference = uuid.uuid4().hex[:12]
    log.error("unexpected error", exc_info=exc, extra={"reference": reference})
    return JSONResponse(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        content={
            "detail": f"Something went wrong on our side and the request was not completed; quote reference "
            f"{reference} to the team (it is in the service's log).",
            "reference": reference,
        },
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves on this path."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _method_not_allowed(request: Request, _exc: Exception) -> JSONResponse:
    """405 whose Allow header names every method of the path (Starlette's names only the first route that matched)."""
    methods = allowed_methods(request.app, request.url.path)
    return JSONResponse(
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        content={"detail": f"{request.method} is not allowed here; this address answers {', '.join(methods)}"},
        headers={"Allow": ", ".join(methods)},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register our handlers on the app."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed)
    for temporal_error in (RPCError, RPCTimeoutOrCancelledError):
        app.add_exception_handler(temporal_error, _temporal_error)
    app.add_exception_handler(Exception, _unexpected)
