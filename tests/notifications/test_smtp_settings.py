"""SMTP_URL, MAIL_FROM and the outbox settings; Message-IDs from outbox keys; the backoff schedule."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from outbox_support import sample_refund

from core.settings import Settings
from notifications.compose import AddressError, compose, message_id
from notifications.relay import RelayConfig, backoff_delay
from notifications.smtp import SmtpTarget, parse_smtp_url
from notifications.templates import render
from store.refunds import email_context


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpTarget("127.0.0.1", 1025, "plain")),
        ("smtp://mail.internal", SmtpTarget("mail.internal", 25, "plain")),
        (
            "smtp+starttls://user:p%40ss@smtp.example.com:587",
            SmtpTarget("smtp.example.com", 587, "starttls", "user", "p@ss"),
        ),
        ("smtps://apikey:s3cret@smtp.example.com", SmtpTarget("smtp.example.com", 465, "tls", "apikey", "s3cret")),
    ],
)
def test_smtp_url_forms(url: str, expected: SmtpTarget) -> None:
    assert parse_smtp_url(url) == expected


def test_empty_smtp_url_disables_delivery_and_bad_ones_are_explained() -> None:
    assert parse_smtp_url("") is None
    assert parse_smtp_url("  ") is None
    with pytest.raises(ValueError, match="must start with smtp://"):
        parse_smtp_url("http://mail.example.com")
    with pytest.raises(ValueError, match="names no host"):
        parse_smtp_url("smtp://:25")


def test_passwords_stay_out_of_logs_and_reprs() -> None:
    target = parse_smtp_url("smtp+starttls://user:s3cret@smtp.example.com:587")
    assert target is not None
    assert target.redacted() == "smtp+starttls://user:***@smtp.example.com:587"
    assert "s3cret" not in repr(target)
    assert "s3cret" not in repr(Settings(smtp_url="smtp://u:s3cret@h:25"))


def test_relay_configuration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:1025")
    monkeypatch.setenv("MAIL_FROM", "Shop refunds <refunds@shop.example>")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "2.5")
    monkeypatch.setenv("OUTBOX_BATCH_SIZE", "7")
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "9")
    config = RelayConfig.from_settings(Settings(_env_file=None))
    assert config.smtp == SmtpTarget("127.0.0.1", 1025)
    assert (config.mail_from, config.poll_seconds, config.batch_size, config.max_attempts) == (
        "Shop refunds <refunds@shop.example>",
        2.5,
        7,
        9,
    )


def test_unset_smtp_url_means_no_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMTP_URL", raising=False)
    assert RelayConfig.from_settings(Settings(_env_file=None)).smtp is None


def test_a_mail_from_without_an_address_fails_at_start() -> None:
    with pytest.raises(AddressError, match="MAIL_FROM"):
        RelayConfig.from_settings(Settings(_env_file=None, mail_from="Refunds team"))


def test_lease_must_outlast_a_slow_send() -> None:
    with pytest.raises(ValueError, match="lease"):
        RelayConfig(smtp=None, mail_from="r@shop.test", smtp_timeout=60, lease=timedelta(minutes=1))


def test_backoff_doubles_up_to_the_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    delays = [backoff_delay(n, base, cap).total_seconds() for n in range(1, 11)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert backoff_delay(10_000, base, cap) == cap


def test_message_id_is_derived_from_the_outbox_key() -> None:
    assert message_id("rf_1:4:refund_issued", "shop.test") == "<rf_1=3A4=3Arefund_issued@shop.test>"
    assert message_id("rf_1:4:refund_issued", "shop.test") == message_id("rf_1:4:refund_issued", "shop.test")
    # '=' is escaped too, so a key that looks like an escape cannot collide with another key.
    assert message_id("a=3Ab", "x") != message_id("a:b", "x")
    assert message_id("a..b.", "x") == "<a=2E.b=2E@x>"


def test_composed_email_is_plain_utf8_with_its_key_and_language() -> None:
    rendered = render("refund_issued", "fr", email_context(sample_refund("rf_9")))
    email = compose(
        message_key="rf_9:5:refund_issued",
        to_email="zoé@example.fr",
        mail_from="Remboursements <refunds@shop.test>",
        rendered=rendered,
    )
    parsed = message_from_bytes(email.as_bytes(), policy=default_policy)
    assert parsed["Message-ID"] == "<rf_9=3A5=3Arefund_issued@shop.test>"
    assert parsed["Subject"] == "Votre remboursement de 12,00 EUR est en route"
    assert parsed["Content-Language"] == "fr"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "text/plain"
    assert "entre le 2 et le 9 décembre 2026" in parsed.get_content()


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b\r\nBcc: victim@example.com", "two@x.com, three@y.com"])
def test_unusable_recipients_are_refused_before_smtp(address: str) -> None:
    rendered = render("refund_received", "en", email_context(sample_refund("rf_9")))
    with pytest.raises(AddressError):
        compose(message_key="k", to_email=address, mail_from="r@shop.test", rendered=rendered)
