"""schemathesis hooks of the contract test (loaded through SCHEMATHESIS_HOOKS): the findings it accepts, each narrowly.

Only a finding another open item fixes, or one schemathesis cannot avoid, is accepted here; each names its exact
status and answer so that anything else (a new 5xx, another undocumented status) still fails the run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis


def _detail(response: Any) -> str | None:
    """The `detail` sentence of a JSON answer, if any."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


def _unsigned_webhook(failure: Any, case: Any, response: Any) -> bool:
    """Only Stripe can sign an event, so no generated request is valid to the webhook: 400 is its documented answer."""
    return (
        failure.code == "ST202"
        and case.operation.path == "/webhooks/stripe"
        and response.status_code == 400
        and _detail(response) == "invalid Stripe signature or payload"
    )


def _rule_beyond_the_schema(failure: Any, case: Any, response: Any) -> bool:
    """A schema-valid request a rule refuses that JSON Schema cannot state (a time in the future, before the payment):
    the use case's 422 names the rule in `code`, unlike a malformed request's per-field `errors`."""
    if failure.code != "ST202" or response.status_code != 422:
        return False
    body = response.json()
    return isinstance(body, dict) and "code" in body and "errors" not in body


def _undeliverable_email(failure: Any, case: Any, response: Any) -> bool:
    """`format: email` allows reserved domains (`.test`, `localhost`); email-validator refuses them, as no mail reaches
    them: a customer email must be deliverable, a rule JSON Schema cannot state."""
    if failure.code != "ST202" or response.status_code != 422:
        return False
    errors = response.json().get("errors") or [""]
    return all(line.startswith(RESERVED_EMAIL_DOMAIN) for line in errors)


RESERVED_EMAIL_DOMAIN = (
    "customer_email: value is not a valid email address: The part after the @-sign is a special-use or reserved name"
)
ACCEPTED: list[Callable[[Any, Any, Any], bool]] = [
    _unsigned_webhook,
    _rule_beyond_the_schema,
    _undeliverable_email,
]


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but the accepted ones."""
    return not any(accepted(failure, case, response) for accepted in ACCEPTED)
