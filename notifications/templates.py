"""Render an outbox message (template, locale, context) into a customer email's subject and text body."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.refund_messages import Notification
from notifications import texts
from notifications.wording import (
    failure_label,
    format_date,
    format_window,
    localise_amount,
    pick_locale,
    reason_label,
)

REQUIRED_CONTEXT = ("refund_id", "order_id", "amount")


class TemplateError(ValueError):
    """The message cannot be rendered: unknown template or missing context; retrying will not help."""


@dataclass(frozen=True)
class RenderedEmail:
    """A customer email ready to be wrapped in MIME."""

    subject: str
    body: str
    locale: str


def render(
    template: str, locale: str | None, context: Mapping[str, object], page_url: str | None = None
) -> RenderedEmail:
    """The email for this template in the customer's language (English when we have no texts for it).

    `page_url` is the refund page's signed link, made at sending time so its validity starts with the email.
    """
    try:
        notification = Notification(template)
    except ValueError:
        raise TemplateError(f"no email template named {template!r}") from None
    missing = [key for key in REQUIRED_CONTEXT if not context.get(key)]
    if missing:
        raise TemplateError(f"email context lacks {', '.join(missing)}")
    language = pick_locale(locale)
    fields = _fields(language, context)
    subject = texts.SUBJECTS[language][notification].format(**fields)
    paragraphs = [
        texts.GREETING[language],
        texts.BODIES[language][notification].format(**fields),
        texts.REFERENCE[language].format(**fields),
        texts.PAGE_LINK[language].format(url=page_url) if page_url else "",
        texts.SIGNATURE[language],
    ]
    # Optional parts that are empty leave blank lines behind; squeeze them.
    body = re.sub(r"\n{3,}", "\n\n", "\n\n".join(paragraphs)).strip() + "\n"
    return RenderedEmail(subject=subject, body=body, locale=language)


def _fields(language: str, context: Mapping[str, object]) -> dict[str, str]:
    """Every placeholder any template uses, worded for the language."""
    contact = texts.CONTACT[language]
    label = reason_label(_text(context.get("reason")), language)
    version = _date(context.get("policy_version"))
    clause = _text(context.get("clause"))
    start, end = _date(context.get("expected_from")), _date(context.get("expected_by"))
    return {
        "refund_id": str(context["refund_id"]),
        "order_id": str(context["order_id"]),
        "amount": localise_amount(str(context["amount"]), language),
        "reason": texts.REASON[language].format(label=label) if label else "",
        "policy_version": texts.POLICY_VERSION[language].format(date=format_date(version, language)) if version else "",
        "clause": texts.CLAUSE[language].format(clause=clause) if clause else "",
        "consumer_rights": texts.CONSUMER_RIGHTS[language],
        "window": format_window(start, end, language) if start and end else texts.DEFAULT_WINDOW[language],
        "late": (
            texts.LATE[language].format(date=format_date(end, language), contact=contact)
            if end
            else texts.LATE_DEFAULT[language].format(contact=contact)
        ),
        "failure": failure_label(_text(context.get("failure_reason")), language),
        "contact": contact,
    }


def _text(value: object) -> str | None:
    """A stripped string, or None for missing/blank values."""
    return str(value).strip() or None if value is not None else None


def _date(value: object) -> date | None:
    """An ISO date from the context, or None when absent or not a date."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
