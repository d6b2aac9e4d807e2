"""Every answer the emulator gave during this test session validates against Stripe's OpenAPI spec.

The spec (`shared/stripe/spec3-2023-08-16.json`) is for API version 2023-08-16; fields Stripe added since are not
errors (additional properties are allowed), but each such field of a Stripe object must exist in Stripe's newer
fixtures (`fixtures3.json`) or, for fields shown only in some states (a pending refund's `pending_reason`), in the
stripe SDK's class for that object, so nothing invented passes. This file runs last (see conftest.py) and first drives
one round of every flow itself, so it validates something even when run alone.
"""

from __future__ import annotations

import importlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest
import stripe
from openapi_schema_validator import OAS30Validator
from stripe._object_classes import OBJECT_CLASSES

from stripe_emulator.resources.webhook_endpoints import NEWER_EVENT_TYPES, event_types

from .helpers import RESPONSES_FILE, pay, wait_for

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "stripe"
SPEC_FILE, FIXTURES_FILE = SHARED / "spec3-2023-08-16.json", SHARED / "fixtures3.json"
pytestmark = pytest.mark.skipif(not SPEC_FILE.exists(), reason=f"{SPEC_FILE} is absent (clean clone)")


def _stripe_nullable(node: Any) -> Any:
    """`nullable: true` made explicit: `anyOf: [<the schema>, {enum: [null]}]`.

    Stripe's spec marks `anyOf` and `enum` schemas nullable to allow null, which a strict OAS 3.0.3 validator does
    not apply (`nullable` needs a `type`, and `enum` must list null itself); this says what Stripe means.
    """
    if isinstance(node, list):
        return [_stripe_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _stripe_nullable(value) for key, value in node.items()}
    if node.get("nullable") is True:
        rest = {key: value for key, value in node.items() if key != "nullable"}
        return {"anyOf": [rest, {"enum": [None]}]}
    return node


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return _stripe_nullable(json.loads(SPEC_FILE.read_text()))


@lru_cache(maxsize=1)
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES_FILE.read_text())["resources"]


@lru_cache(maxsize=1)
def templates() -> list[tuple[re.Pattern[str], str]]:
    """Spec paths as regexes, literal segments first (`/v1/charges/search` before `/v1/charges/{charge}`)."""
    paths = sorted(spec()["paths"], key=lambda p: (p.count("{"), p))
    return [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in paths]


def template_of(path: str) -> str | None:
    return next((t for pattern, t in templates() if pattern.match(path)), None)


@cache
def validator(method: str, template: str, status: str) -> OAS30Validator:
    """The validator of one operation's answer schema (`default` is Stripe's error schema)."""
    responses = spec()["paths"][template][method.lower()]["responses"]
    schema = responses.get(status, responses["default"])["content"]["application/json"]["schema"]
    return OAS30Validator({**schema, "components": spec()["components"]})


@lru_cache(maxsize=1)
def error_validator() -> OAS30Validator:
    """Stripe's error body, for the 404 answers to URLs no operation has."""
    return OAS30Validator({"$ref": "#/components/schemas/error", "components": spec()["components"]})


@lru_cache(maxsize=1)
def schemas_by_object() -> dict[str, dict[str, Any]]:
    """Component schemas by the `object` value of the resource they describe (charge, radar.early_fraud_warning...)."""
    found = {}
    for schema in spec()["components"]["schemas"].values():
        enum = schema.get("properties", {}).get("object", {}).get("enum")
        if enum and len(enum) == 1 and schema.get("x-resourceId") == enum[0]:
            found[enum[0]] = schema
    return found


@cache
def sdk_fields(kind: str) -> frozenset[str]:
    """The fields the stripe SDK's class for an object type declares (it tracks Stripe's newest API version)."""
    module_name, class_name = OBJECT_CLASSES.get(kind, (None, None))
    if module_name is None or class_name is None:
        return frozenset()
    cls = getattr(importlib.import_module(module_name), class_name)
    return frozenset(name for klass in cls.__mro__ for name in getattr(klass, "__annotations__", {}))


def newer_fields_unknown_to_fixtures(node: Any, where: str = "") -> list[str]:
    """Fields of Stripe objects absent from the spec's schema and from the fixture of the same type."""
    problems = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            problems += newer_fields_unknown_to_fixtures(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        kind = node.get("object")
        schema = schemas_by_object().get(kind) if isinstance(kind, str) else None
        if schema is not None:
            newer = set(node) - set(schema.get("properties", {}))
            known = set(fixtures().get(str(kind), {})) | sdk_fields(str(kind))
            problems += [f"{where}.{name} ({kind})" for name in sorted(newer - known)]
        for name, value in node.items():
            problems += newer_fields_unknown_to_fixtures(value, f"{where}.{name}")
    return problems


def _drive_every_flow(client, emulator) -> None:
    """One round of payments, declines, refunds, disputes, inquiries and warnings, so the answers exist."""
    intent = pay(client, "pm_card_createDispute")
    with pytest.raises(stripe.CardError):
        pay(client, "pm_card_chargeDeclinedIncorrectCvc")
    client.v1.refunds.create(params={"payment_intent": pay(client, "pm_card_pendingRefund").id})
    inquiry_intent = pay(client, "pm_card_createDisputeInquiry")
    warned = pay(client, "pm_card_createIssuerFraudRecord")
    dispute = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": intent.id}).data)[0]
    client.v1.disputes.update(dispute.id, params={"evidence": {"uncategorized_text": "winning_evidence"}})
    inquiry = wait_for(lambda: client.v1.disputes.list(params={"payment_intent": inquiry_intent.id}).data)[0]
    emulator.control.escalate_dispute(inquiry.id)
    wait_for(lambda: client.v1.radar.early_fraud_warnings.list(params={"payment_intent": warned.id}).data)
    client.v1.charges.retrieve(intent.latest_charge, params={"expand": ["refunds", "balance_transaction"]})
    client.raw_request("get", f"/v1/charges/{warned.latest_charge}/refunds")
    client.v1.events.list(params={"limit": 100})


def test_every_answer_of_the_session_matches_stripes_spec(client, emulator):
    _drive_every_flow(client, emulator)
    records = [json.loads(line) for line in RESPONSES_FILE.read_text().splitlines()]
    violations, unmatched, checked = [], set(), 0
    for record in records:
        template = template_of(record["path"])
        status = str(record["status"])
        if template is None or record["method"].lower() not in spec()["paths"][template]:
            if status != "404":
                unmatched.add(f"{record['method']} {record['path']} {status}")
            template = None
        check = validator(record["method"], template, status) if template else error_validator()
        for error in check.iter_errors(record["body"]):
            location = "/".join(map(str, error.absolute_path))
            violations.append(f"{record['method']} {template} {status} at {location}: {error.message[:200]}")
        violations += [f"{record['method']} {template}: {p}" for p in newer_fields_unknown_to_fixtures(record["body"])]
        checked += 1
    print(f"\n{checked} emulator answers validated against {SPEC_FILE.name}")
    assert not unmatched, f"answers other than 404 to paths the spec does not have: {sorted(unmatched)[:10]}"
    assert checked >= 15, f"only {checked} answers recorded"
    assert not violations, f"{len(violations)} of {checked} answers break the spec:\n" + "\n".join(violations[:30])


def test_the_check_finds_what_the_spec_forbids():
    refund = {"object": "refund", "id": "re_1", "amount": "ten", "invented_field": 1}
    assert list(validator("GET", "/v1/refunds/{refund}", "200").iter_errors(refund)), "a wrong type must be found"
    assert newer_fields_unknown_to_fixtures(refund) == [".invented_field (refund)"]
    evidence = {"object": "dispute", "evidence": {"uncategorized_text": "x" * 150_001}}
    errors = validator("GET", "/v1/disputes/{dispute}", "200").iter_errors(evidence)
    assert ["evidence", "uncategorized_text"] in [list(e.absolute_path) for e in errors], "text beyond maxLength"


def test_event_types_are_the_specs_enum_plus_newer_ones():
    operation = spec()["paths"]["/v1/webhook_endpoints"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    enum = set(form["properties"]["enabled_events"]["items"]["enum"])
    assert event_types() == enum | NEWER_EVENT_TYPES
    assert not NEWER_EVENT_TYPES & enum, "a 'newer' event type is already in the spec"
