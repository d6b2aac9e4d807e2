"""Stripe's error responses: `{"error": {type, code, message, param, doc_url, ...}}` with its HTTP status."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error the API answers with; `saved` says whether idempotency may replay it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        saved: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra or {}
        self.headers = headers or {}
        # Stripe saves idempotent results only once the endpoint runs: validation errors are not saved.
        self.saved = saved

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        error["message"] = self.message
        if self.param:
            error["param"] = self.param
        if request_id:
            error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        error["type"] = self.type
        error.update(self.extra)
        return {"error": dict(sorted(error.items()))}


def invalid(message: str, *, code: str | None = None, param: str | None = None) -> StripeError:
    """A 400 found while validating parameters (never saved for idempotent replay)."""
    return StripeError(400, message, code=code, param=param, saved=False)


def unknown_parameter(name: str) -> StripeError:
    """Stripe rejects parameters it does not know."""
    return invalid(f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def missing_parameter(name: str) -> StripeError:
    """A required parameter is absent."""
    return invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)


def no_such(kind: str, object_id: str, *, param: str = "id", status: int = 404) -> StripeError:
    """`resource_missing`: 404 for the object in the URL, 400 for one named in a parameter."""
    return StripeError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def bad_request(message: str, *, code: str | None = None, param: str | None = None) -> StripeError:
    """A 400 raised by the endpoint's own logic (saved for idempotent replay, as Stripe does)."""
    return StripeError(400, message, code=code, param=param)


def unrecognized_url(method: str, path: str) -> StripeError:
    """Stripe's answer to a URL it has no endpoint for."""
    return StripeError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        saved=False,
    )
