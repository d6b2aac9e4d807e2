"""Locale-aware pieces of customer emails: language choice, amounts, date windows, reason and failure labels."""

from __future__ import annotations

import re
from datetime import date

SUPPORTED_LOCALES = ("en", "fr")

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}

REASON_LABELS = {
    "en": {
        "not_activated": "the service was not activated",
        "duplicate_payment": "duplicate payment",
        "wrong_plan": "wrong plan selected",
        "technical_issue": "a technical issue we could not resolve",
        "unauthorized_transaction": "a payment you did not authorise",
        "connection_or_device": "an internet or device problem",
        "third_party_app": "a third-party application change",
        "changed_mind": "change of mind",
        "temporary_outage": "a temporary outage",
        "unused_time": "unused subscription time",
    },
    "fr": {
        "not_activated": "service non activé",
        "duplicate_payment": "paiement en double",
        "wrong_plan": "mauvaise formule choisie",
        "technical_issue": "problème technique que nous n'avons pas pu résoudre",
        "unauthorized_transaction": "paiement que vous n'avez pas autorisé",
        "connection_or_device": "problème de connexion ou d'appareil",
        "third_party_app": "changement d'une application tierce",
        "changed_mind": "changement d'avis",
        "temporary_outage": "interruption temporaire",
        "unused_time": "temps d'abonnement non utilisé",
    },
}

# Stripe's refund failure_reason codes; anything else (including our internal error text) gets the generic line.
FAILURE_LABELS = {
    "en": {
        "expired_or_canceled_card": "the card used for the purchase has expired or was cancelled",
        "lost_or_stolen_card": "the card used for the purchase was reported lost or stolen",
        "insufficient_funds": "your bank or payment provider declined it",
        "declined": "your bank or payment provider declined it",
        "charge_for_pending_refund_disputed": "the payment is the subject of a dispute with your bank",
    },
    "fr": {
        "expired_or_canceled_card": "la carte utilisée pour l'achat a expiré ou a été annulée",
        "lost_or_stolen_card": "la carte utilisée pour l'achat a été déclarée perdue ou volée",
        "insufficient_funds": "votre banque ou votre prestataire de paiement l'a refusé",
        "declined": "votre banque ou votre prestataire de paiement l'a refusé",
        "charge_for_pending_refund_disputed": "le paiement fait l'objet d'une contestation auprès de votre banque",
    },
}
GENERIC_FAILURE = {
    "en": "the payment provider could not complete it",
    "fr": "le prestataire de paiement n'a pas pu le finaliser",
}


def pick_locale(locale: str | None) -> str:
    """'fr', 'fr-FR', 'FR_ca' → 'fr'; anything we have no texts for → 'en'."""
    language = re.split(r"[-_]", (locale or "").strip().lower(), maxsplit=1)[0]
    return language if language in SUPPORTED_LOCALES else "en"


def localise_amount(amount: str, locale: str) -> str:
    """'12.00 EUR' stays as is in English and becomes '12,00 EUR' in French."""
    if locale == "fr":
        return re.sub(r"^(\d+)\.(\d+)", r"\1,\2", amount)
    return amount


def format_date(day: date, locale: str) -> str:
    """'9 December 2026' / '9 décembre 2026' ('1er' for the first of the month in French)."""
    return f"{_day(day, locale)} {_MONTHS[locale][day.month - 1]} {day.year}"


def format_window(start: date, end: date, locale: str) -> str:
    """'between 2 and 9 December 2026', naming the month and year only where they change."""
    if (start.year, start.month) == (end.year, end.month):
        first = _day(start, locale)
    elif start.year == end.year:
        first = f"{_day(start, locale)} {_MONTHS[locale][start.month - 1]}"
    else:
        first = format_date(start, locale)
    last = format_date(end, locale)
    return f"entre le {first} et le {last}" if locale == "fr" else f"between {first} and {last}"


def reason_label(reason: str | None, locale: str) -> str | None:
    """The customer-facing name of a refund reason, or None for a code we have no words for."""
    return REASON_LABELS[locale].get(reason or "")


def failure_label(failure_reason: str | None, locale: str) -> str:
    """Why a refund failed, in customer words; raw provider or internal text never reaches the email."""
    code = (failure_reason or "").split(":", 1)[0].strip()
    return FAILURE_LABELS[locale].get(code, GENERIC_FAILURE[locale])


def _day(day: date, locale: str) -> str:
    """Day of month, French ordinal for the first."""
    return "1er" if locale == "fr" and day.day == 1 else str(day.day)
