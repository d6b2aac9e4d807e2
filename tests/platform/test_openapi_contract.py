"""The OpenAPI document tells the truth: each operation's roles come from domain.permissions, its errors are ErrorBody.

What the service really answers against this document is checked by schemathesis (tests/refunds/test_api_contract.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from platform_support import SUPPORT, api_settings
from test_permission_matrix import ENDPOINTS

from api.app import create_app
from domain.permissions import permitted_roles
from domain.roles import Role

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
DOCUMENT = create_app(api_settings("sqlite://", Path("."))).openapi()
OPERATIONS = {
    (method.upper(), path): operation
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
}
STAFF = sorted(key for key, action in ENDPOINTS.items() if action is not None and key in OPERATIONS)
# The workflow-backed operations: they answer 503 while Temporal is unreachable.
# Operations that need Temporal, or Stripe (an order's payment is checked there): 503 while it is unreachable.
TEMPORAL = {
    ("POST", "/orders"),
    ("POST", "/refunds"),
    *((m, p) for (m, p) in OPERATIONS if m == "POST" and p.startswith(("/refunds/", "/disputes/", "/settlements/"))),
    ("POST", "/webhooks/stripe"),
}


def schema_of(answer: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a documented answer."""
    return answer["content"]["application/json"]["schema"]


@pytest.mark.parametrize("endpoint", STAFF, ids=lambda e: f"{e[0]} {e[1]}")
def test_each_staff_operation_names_its_roles_from_the_domain_table(endpoint: tuple[str, str]) -> None:
    operation = OPERATIONS[endpoint]
    action = ENDPOINTS[endpoint]
    assert action is not None
    expected = [role.value for role in Role if role in permitted_roles(action)]
    assert operation["x-action"] == action.value
    assert operation["x-roles"] == expected
    assert operation["description"].endswith(f"(action `{action.value}`).")
    assert all(role in operation["description"] for role in expected)


@pytest.mark.parametrize("endpoint", sorted(OPERATIONS), ids=lambda e: f"{e[0]} {e[1]}")
def test_each_operation_documents_its_error_answers_with_our_body(endpoint: tuple[str, str]) -> None:
    _method, path = endpoint
    responses = OPERATIONS[endpoint]["responses"]
    errors = {int(code): answer for code, answer in responses.items() if int(code) >= 400}
    if endpoint == ("GET", "/healthz"):
        assert set(errors) == {503}  # a degraded Health, not an error body
        return
    assert all(schema_of(answer) == ERROR_REF for answer in errors.values()), errors
    if ENDPOINTS[endpoint] is not None:
        assert {401, 403, 429} <= set(errors)
        assert "Retry-After" in responses["429"]["headers"]
    if "{" in path:
        assert 404 in errors
    if "requestBody" in OPERATIONS[endpoint]:
        assert 413 in errors
    if "parameters" in OPERATIONS[endpoint] or "requestBody" in OPERATIONS[endpoint]:
        assert 422 in errors or path == "/webhooks/stripe"
    assert (503 in errors) is (endpoint in TEMPORAL)


def test_fastapi_validation_array_is_gone() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    error_body = schemas["ErrorBody"]
    assert error_body["required"] == ["detail"]
    assert error_body["properties"]["detail"]["type"] == "string"
    errors = error_body["properties"]["errors"]
    assert (errors["type"], errors["items"]) == ("array", {"type": "string"}) and "anyOf" not in errors


async def test_a_real_422_is_what_the_document_says(api: httpx.AsyncClient) -> None:
    response = await api.get("/refunds", headers=SUPPORT, params={"limit": 0})
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and body["errors"] == [body["detail"]]
    assert set(body) <= set(DOCUMENT["components"]["schemas"]["ErrorBody"]["properties"])
