"""The OpenAPI document says what each operation really answers: who may call it and its error bodies.

Everything is derived from the routes themselves (their permits() action, parameters, body and Temporal dependency)
and from domain.permissions, in this one place, so no route documents its own errors by hand.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from api.deps import get_stripe, get_temporal
from api.guarded_route import dependency_calls
from domain.permissions import Action, permitted_roles, role_names
from domain.roles import Role

ERROR_SCHEMA = "ErrorBody"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
# FastAPI's own 422 models, which describe an answer we never send (api/errors.py sends ErrorBody).
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
# Writes that never clash with a record's state (a contact is only ever added).
NEVER_CONFLICTS = frozenset({Action.RECORD_CONTACT})
# Writes whose body names a record that may not exist (a refund names its order).
BODY_NAMES_A_RECORD = frozenset({Action.REQUEST_REFUND})


class ErrorBody(BaseModel):
    """Every error answer: one sentence a support agent understands, and fields a program can act on."""

    # Use cases may add fields beside `detail` (services/errors.py `extra`); the known ones are listed below.
    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="One sentence saying what went wrong and what to do.")
    # Absent rather than null when they do not apply (api/errors.py drops empty fields), so the schema shows no null.
    errors: list[str] | SkipJsonSchema[None] = Field(
        None, description="422 for a malformed request: one 'field: problem' line per field (joined in `detail`)."
    )
    code: str | SkipJsonSchema[None] = Field(
        None, description="Which rule the request breaks (e.g. `wrong_state`, `separation_of_duties`)."
    )
    order_id: str | SkipJsonSchema[None] = Field(None, description="409: the order that already has an open refund.")
    refund_id: str | SkipJsonSchema[None] = Field(
        None, description="409: the open refund; 503: the refund recorded but not started yet."
    )
    status: str | SkipJsonSchema[None] = Field(None, description="409: the open refund's status.")
    reference: str | SkipJsonSchema[None] = Field(
        None, description="500: quote it to the team, it is in the service's log."
    )


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}}
# Each error status we send, what it means, and the headers that come with it.
ERROR_ANSWERS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The Stripe signature or payload is invalid; Stripe retries.", {}),
    401: ("No staff token, or an unknown or revoked one.", WWW_AUTHENTICATE),
    403: ("The token's roles may not take this action.", {}),
    404: ("Nothing has this id.", {}),
    409: (
        "The request clashes with the records: the refund's state, an open refund, a reused Idempotency-Key, or "
        "separation of duties (someone else must act).",
        {},
    ),
    413: ("The request body is larger than the service accepts (API_MAX_BODY_BYTES); nothing was read.", {}),
    422: ("The request is malformed or breaks a rule; `detail` says which.", {}),
    429: (
        "Too many unknown or revoked tokens came from this address: every sign-in from it, even with a good token, is "
        "refused until Retry-After seconds have passed.",
        RETRY_AFTER,
    ),
    503: ("A service we depend on (Temporal, Stripe) is unreachable; nothing was lost, try again.", RETRY_AFTER),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, each with the ErrorBody schema."""
    answers: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        description, headers = ERROR_ANSWERS[code]
        answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
        if headers:
            answer["headers"] = headers
        answers[code] = answer
    return answers


def route_action(route: APIRoute) -> Action | None:
    """The action the route's permits() dependency checks, if any (api/deps.py attaches it)."""
    actions = [getattr(dependency.call, "action", None) for dependency in route.dependant.dependencies]
    return next((action for action in actions if action is not None), None)


def needs_temporal(route: APIRoute) -> bool:
    """Whether the route needs Temporal or asks Stripe (and so answers 503 while either is unreachable)."""
    return bool({get_temporal, get_stripe} & dependency_calls(route.dependant))


def error_statuses(route: APIRoute, method: str) -> list[int]:
    """The error statuses an operation can answer, read from what the route depends on."""
    action = route_action(route)
    has_input = bool(route.dependant.path_params or route.dependant.query_params or route.dependant.header_params)
    statuses: set[int] = set()
    if action is not None:
        statuses |= {401, 403, 429}
        if method == "POST" and action not in NEVER_CONFLICTS:
            statuses.add(409)
        if action in BODY_NAMES_A_RECORD:
            statuses.add(404)
    if route.dependant.path_params:
        statuses.add(404)
    if route.body_field is not None:
        statuses |= {413, 422}
    if has_input:
        statuses.add(422)
    if needs_temporal(route):
        statuses.add(503)
    return sorted(statuses)


def roles_sentence(action: Action) -> str:
    """'**Roles:** support or admin (action `request_refund`).' for an operation's description."""
    return f"**Roles:** {role_names(permitted_roles(action))} (action `{action.value}`)."


def _document_operation(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    """Add the roles and the error answers to one operation of the document."""
    action = route_action(route)
    if action is not None:
        roles = [role.value for role in Role if role in permitted_roles(action)]
        operation["x-action"] = action.value
        operation["x-roles"] = roles
        operation["description"] = "\n\n".join(filter(None, [operation.get("description"), roles_sentence(action)]))
    responses = operation.setdefault("responses", {})
    # A status the route declares itself (POST /orders' 503 when Stripe cannot be asked) gets the same body.
    declared = {code for code in route.responses if isinstance(code, int) and code in ERROR_ANSWERS}
    for code, answer in error_responses(*sorted(set(error_statuses(route, method)) | declared)).items():
        # A route's own wording of a status (e.g. POST /orders' 409) stays; the body is always ErrorBody.
        own = route.responses.get(code, {})
        responses[str(code)] = answer | ({"description": own["description"]} if "description" in own else {})
    operation["responses"] = dict(sorted(responses.items()))


def document(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """Rewrite FastAPI's generated document in place: roles per operation, our error bodies, no FastAPI 422 array."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components[ERROR_SCHEMA] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document_operation(operation, route, method)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the documented schema at /openapi.json (built once, on first request)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(generate(), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
