"""Customer email templates: each in English and French, with the facts the customer needs and nothing internal."""

from __future__ import annotations

from datetime import date

import pytest
from outbox_support import sample_refund

from domain.policy import CLAUSES, RuleCode
from domain.refund_messages import Notification
from notifications.templates import TemplateError, render
from notifications.wording import format_window, pick_locale
from store.refunds import email_context

LOCALES = ["en", "fr"]
AMOUNT = {"en": "12.00 EUR", "fr": "12,00 EUR"}
WINDOW = {"en": "between 2 and 9 December 2026", "fr": "entre le 2 et le 9 décembre 2026"}
CONSUMER_RIGHTS = {"en": "consumer protection law of your country", "fr": "droit de la consommation de votre pays"}
CHANGED_MIND = CLAUSES[RuleCode.NOT_COVERED_PERSONAL_PREFERENCE]


def context(**fields) -> dict:
    """The context store.refunds.email_context writes for a sample refund."""
    return email_context(sample_refund("rf_7Q2", **fields))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", list(Notification))
def test_every_template_renders_with_amount_order_and_reference(template: Notification, locale: str) -> None:
    email = render(template.value, locale, context())
    assert email.locale == locale
    assert email.subject and "\n" not in email.subject
    assert AMOUNT[locale] in email.subject + email.body
    assert "ord-rf_7Q2" in email.body
    assert "rf_7Q2" in email.body
    assert "{" not in email.subject + email.body, "a placeholder was left unfilled"
    assert "\n\n\n" not in email.body


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", list(Notification))
def test_internal_notes_and_staff_names_never_appear(template: Notification, locale: str) -> None:
    email = render(
        template.value, locale, context(failure_reason="card_declined: Stripe said the issuer refused (req_8f3a)")
    )
    text = email.subject + email.body
    for internal in ("INTERNAL", "rude", "Sam Support", "stf-support-7", "req_8f3a", "Stripe said", "cus-1"):
        assert internal not in text


@pytest.mark.parametrize("locale", LOCALES)
def test_issued_gives_the_expected_window_as_dates(locale: str) -> None:
    body = render("refund_issued", locale, context()).body
    assert WINDOW[locale] in body
    assert ("9 December 2026" if locale == "en" else "9 décembre 2026") in body.split(WINDOW[locale])[1]


@pytest.mark.parametrize("locale", LOCALES)
def test_issued_without_a_window_falls_back_to_business_days(locale: str) -> None:
    body = render("refund_issued", locale, context(expected_from=None, expected_by=None)).body
    assert ("within 3 to 10 business days" if locale == "en" else "sous 3 à 10 jours ouvrés") in body


@pytest.mark.parametrize(
    ("start", "end", "locale", "expected"),
    [
        (date(2026, 11, 27), date(2026, 12, 9), "en", "between 27 November and 9 December 2026"),
        (date(2026, 12, 30), date(2027, 1, 8), "en", "between 30 December 2026 and 8 January 2027"),
        (date(2026, 12, 1), date(2026, 12, 8), "fr", "entre le 1er et le 8 décembre 2026"),
        (date(2026, 11, 27), date(2026, 12, 1), "fr", "entre le 27 novembre et le 1er décembre 2026"),
        (date(2026, 12, 30), date(2027, 1, 8), "fr", "entre le 30 décembre 2026 et le 8 janvier 2027"),
    ],
)
def test_windows_name_month_and_year_only_where_they_change(start: date, end: date, locale: str, expected: str) -> None:
    assert format_window(start, end, locale) == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_rejection_cites_the_clause_and_local_consumer_rights(locale: str) -> None:
    email = render("refund_rejected", locale, context(reason="changed_mind", decision_clause=CHANGED_MIND))
    assert CHANGED_MIND in email.body
    assert CONSUMER_RIGHTS[locale] in email.body
    assert ("5 December 2025" if locale == "en" else "5 décembre 2025") in email.body


@pytest.mark.parametrize("locale", LOCALES)
def test_rejection_without_a_recorded_clause_still_mentions_consumer_rights(locale: str) -> None:
    # A request rejected for invalid input has no policy assessment, hence no clause.
    email = render("refund_rejected", locale, context(decision_clause=None, policy_version=None))
    assert CONSUMER_RIGHTS[locale] in email.body
    assert "None" not in email.body


@pytest.mark.parametrize(
    ("failure_reason", "expected"),
    [
        ("expired_or_canceled_card", "has expired or was cancelled"),
        ("lost_or_stolen_card", "reported lost or stolen"),
        ("stripe_error: connection reset by peer", "the payment provider could not complete it"),
        (None, "the payment provider could not complete it"),
    ],
)
def test_failure_is_explained_in_customer_words(failure_reason: str | None, expected: str) -> None:
    body = render("refund_failed", "en", context(failure_reason=failure_reason)).body
    assert expected in body
    assert "is not cancelled" in body


def test_received_names_the_reason_in_the_customers_language() -> None:
    assert "reason given: a technical issue we could not resolve" in render("refund_received", "en", context()).body
    assert "motif indiqué : problème technique" in render("refund_received", "fr", context()).body


@pytest.mark.parametrize(
    ("locale", "chosen"), [("fr", "fr"), ("fr-CA", "fr"), ("FR_fr", "fr"), ("de", "en"), ("", "en"), (None, "en")]
)
def test_unknown_locales_fall_back_to_english(locale: str | None, chosen: str) -> None:
    assert pick_locale(locale) == chosen
    email = render("refund_approved", locale, context())
    assert email.locale == chosen
    assert email.body.startswith("Bonjour," if chosen == "fr" else "Hello,")


def test_zero_decimal_amounts_are_left_alone_in_french() -> None:
    email = render("refund_approved", "fr", context(amount_minor=1500, currency="jpy"))
    assert "1500 JPY" in email.subject


def test_unknown_template_and_missing_context_are_refused() -> None:
    with pytest.raises(TemplateError, match="no email template named 'refund_teleported'"):
        render("refund_teleported", "en", context())
    with pytest.raises(TemplateError, match="amount"):
        render("refund_issued", "en", {"refund_id": "rf_1", "order_id": "ord-1"})
