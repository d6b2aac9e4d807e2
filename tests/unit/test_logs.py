"""Structured logs: one JSON object a line, context lifted from Temporal's log extras, no secrets in settings' repr."""

import json
import logging

from core.logs import JsonFormatter
from core.settings import Settings


def _format(**extra) -> dict:
    record = logging.LogRecord("refunds", logging.INFO, __file__, 1, "refund status changed", None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_activity_lines_carry_workflow_and_refund_ids() -> None:
    line = _format(
        temporal_activity={"workflow_id": "refund-rf_abc", "activity_type": "publish_refund"}, status="settling"
    )
    assert line["workflow_id"] == "refund-rf_abc" and line["refund_id"] == "rf_abc"
    assert line["status"] == "settling" and line["msg"] == "refund status changed" and line["level"] == "info"


def test_dispute_workflow_lines_carry_dispute_id() -> None:
    line = _format(temporal_workflow={"workflow_id": "dispute-dp_1", "workflow_type": "DisputeWorkflow"})
    assert line["dispute_id"] == "dp_1" and "refund_id" not in line


def test_secrets_never_render() -> None:
    settings = Settings(_env_file=None, stripe_api_key="sk_test_secret123", stripe_webhook_secret="whsec_hidden")
    rendered = repr(settings) + str(settings.model_dump())
    assert "sk_test_secret123" not in rendered and "whsec_hidden" not in rendered
