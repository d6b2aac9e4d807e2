"""Refund page links: signed with our key, naming one refund, refused when forged, altered or too old."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.settings import Settings
from customer_pages.links import BadLink, ExpiredLink, page_url, refund_of, sign_refund

KEY = b"k" * 32
VALIDITY = timedelta(days=90)
T0 = 1_800_000_000.0


def test_a_link_names_its_refund_until_it_expires() -> None:
    token = sign_refund(KEY, "rf_0123abcd", clock=lambda: T0)
    assert "rf_0123abcd" in refund_of(KEY, token, VALIDITY, clock=lambda: T0 + VALIDITY.total_seconds() - 1)
    with pytest.raises(ExpiredLink):
        refund_of(KEY, token, VALIDITY, clock=lambda: T0 + VALIDITY.total_seconds() + 1)


@pytest.mark.parametrize("change", ["another key", "altered", "cut short", "garbage"])
def test_a_link_we_did_not_sign_opens_nothing(change: str) -> None:
    token = sign_refund(KEY, "rf_0123abcd", clock=lambda: T0)
    key = b"x" * 32 if change == "another key" else KEY
    forged = {
        "another key": token,
        "altered": sign_refund(KEY, "rf_9999", clock=lambda: T0).split(".")[0] + "." + token.split(".", 1)[1],
        "cut short": token[:-3],
        "garbage": "not-a-token",
    }[change]
    with pytest.raises(BadLink):
        refund_of(key, forged, VALIDITY, clock=lambda: T0)


def test_the_page_address_carries_the_token_under_my_refund() -> None:
    url = page_url("http://shop.example/", KEY, "rf_1")
    assert url.startswith("http://shop.example/my-refund/")
    assert refund_of(KEY, url.rsplit("/", 1)[1], VALIDITY) == "rf_1"


def test_the_link_key_is_derived_from_the_signing_key_unless_set() -> None:
    derived = Settings(_env_file=None, actor_signing_key="a" * 32)
    assert derived.link_key() != b"a" * 32 and len(derived.link_key()) == 32
    assert Settings(_env_file=None, actor_signing_key="a" * 32, customer_link_key="b" * 32).link_key() == b"b" * 32
    with pytest.raises(ValueError, match="CUSTOMER_LINK_KEY"):
        Settings(_env_file=None, customer_link_key="short")


@pytest.mark.parametrize(("locale", "words"), [("en", "your refund's page"), ("fr", "la page de votre remboursement")])
def test_each_email_links_the_refund_page_in_its_language(locale: str, words: str) -> None:
    from notifications.templates import render

    context = {"refund_id": "rf_1", "order_id": "ord-1", "amount": "119.88 EUR"}
    email = render("refund_received", locale, context, page_url="http://shop.example/my-refund/abc")
    assert words in email.body and "http://shop.example/my-refund/abc\n" in email.body
    assert "my-refund" not in render("refund_received", locale, context).body


def test_the_worker_s_relay_links_each_refund_email_to_its_page() -> None:
    from notifications.relay import RelayConfig

    settings = Settings(_env_file=None, actor_signing_key="a" * 32, public_api_url="https://refunds.example")
    config = RelayConfig.from_settings(settings)
    assert config.page_link is not None
    url = config.page_link("rf_42")
    assert url.startswith("https://refunds.example/my-refund/")
    assert refund_of(settings.link_key(), url.rsplit("/", 1)[1], settings.customer_link_validity) == "rf_42"
    assert RelayConfig.from_settings(Settings(_env_file=None)).page_link is None  # no key: emails go without it
