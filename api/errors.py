"""Error answers a support agent can read: one sentence in `detail`, field errors listed beside it."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import RPCTimeoutOrCancelledError
from temporalio.service import RPCError

from api.refund_requests import IdempotencyMismatch
from api.temporal_errors import RETRY_AFTER_S, WorkflowServiceUnavailable, unavailable
from domain.policy import PolicyInputError
from store.orders import OrderConflict, OrderNotFound
from store.disputes import DisputeNotFound
from store.refunds import OpenRefundExists, RefundNotFound


def _field_message(error: dict) -> str:
    """'plan_months: the shop sells 1, 3, 6 or 12-month plans only' from a pydantic error."""
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    message = error.get("msg", "is invalid").removeprefix("Value error, ")
    if error.get("type") == "missing":
        message = "is required"
    elif error.get("type") == "extra_forbidden":
        message = "is not a field we know"
    return f"{location}: {message}" if location else message


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with a readable summary and the per-field list."""
    errors = [_field_message(error) for error in exc.errors()]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "; ".join(errors), "errors": errors},
    )


async def _not_found(_request: Request, exc: LookupError) -> JSONResponse:
    """404 with what was not found."""
    return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc)})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    """409 with why the request clashes with the records."""
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)})


async def _open_refund(_request: Request, exc: OpenRefundExists) -> JSONResponse:
    """409 naming the order's open refund (id and status beside the sentence), so a retried request finds its refund."""
    named = {"refund_id": exc.refund_id, "status": exc.status} if exc.refund_id else {}
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc), "order_id": exc.order_id, **named})


async def _policy_input(_request: Request, exc: PolicyInputError) -> JSONResponse:
    """422 with the policy's own explanation of what is wrong with the request."""
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": exc.message, "code": exc.code})


def service_unavailable(detail: str) -> JSONResponse:
    """503 with a sentence and Retry-After: Stripe and agents try again, nothing is lost."""
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE, content={"detail": detail}, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


async def _workflow_service(_request: Request, exc: WorkflowServiceUnavailable) -> JSONResponse:
    """503: Temporal did not answer."""
    return service_unavailable(exc.detail)


async def _temporal_error(_request: Request, exc: Exception) -> JSONResponse:
    """A Temporal error no route expected is the service failing, not the request: 503, try again (never a 500)."""
    return service_unavailable(unavailable(exc).detail)


def install_error_handlers(app: FastAPI) -> None:
    """Register our handlers on the app."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(PolicyInputError, _policy_input)
    for missing in (OrderNotFound, RefundNotFound, DisputeNotFound):
        app.add_exception_handler(missing, _not_found)
    for clash in (OrderConflict, IdempotencyMismatch):
        app.add_exception_handler(clash, _conflict)
    app.add_exception_handler(OpenRefundExists, _open_refund)
    app.add_exception_handler(WorkflowServiceUnavailable, _workflow_service)
    for temporal_error in (RPCError, RPCTimeoutOrCancelledError):
        app.add_exception_handler(temporal_error, _temporal_error)
