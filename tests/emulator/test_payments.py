"""Customers, payment methods, PaymentIntents, charges and balance transactions."""

from __future__ import annotations

import pytest
import stripe

from .helpers import card_payment, pay


def test_customer_create_and_retrieve(client):
    created = client.v1.customers.create(params={"email": "ana@x.test", "name": "Ana", "metadata": {"user_id": "42"}})
    fetched = client.v1.customers.retrieve(created.id)
    assert created.id.startswith("cus_")
    assert (fetched.email, fetched.name, fetched.metadata.to_dict()) == ("ana@x.test", "Ana", {"user_id": "42"})


def test_test_tokens_yield_card_payment_methods(client):
    visa = client.v1.payment_methods.retrieve("pm_card_visa")
    mastercard = client.v1.payment_methods.retrieve("pm_card_mastercard")
    assert visa.id.startswith("pm_") and visa.id != "pm_card_visa"
    assert (visa.type, visa.card.brand, visa.card.last4) == ("card", "visa", "4242")
    assert (mastercard.card.brand, mastercard.card.last4) == ("mastercard", "4444")
    assert client.v1.payment_methods.retrieve(visa.id).id == visa.id


def test_confirmed_payment_succeeds_with_charge_and_balance_transaction(client):
    customer = client.v1.customers.create()
    intent = pay(client, customer=customer.id, amount=2500, metadata={"order_id": "o-1"}, description="12 months")
    assert (intent.status, intent.amount_received) == ("succeeded", 2500)
    assert isinstance(intent.latest_charge, str) and intent.latest_charge.startswith("ch_")
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.status, charge.paid, charge.captured, charge.amount_refunded, charge.refunded) == (
        "succeeded",
        True,
        True,
        0,
        False,
    )
    assert (charge.payment_intent, charge.customer, charge.payment_method) == (
        intent.id,
        customer.id,
        intent.payment_method,
    )
    assert charge.metadata.to_dict() == {"order_id": "o-1"}
    assert charge.payment_method_details.card.last4 == "4242"
    transaction = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (transaction.type, transaction.source, transaction.amount) == ("charge", charge.id, 2500)
    assert transaction.net == 2500 - transaction.fee and transaction.fee == round(2500 * 0.029) + 30


def test_create_then_confirm(client):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "eur",
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
    )
    assert intent.status == "requires_payment_method"
    confirmed = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_mastercard"})
    assert (confirmed.status, confirmed.currency) == ("succeeded", "eur")
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.payment_intents.confirm(intent.id)
    assert again.value.code == "payment_intent_unexpected_state"


def test_automatic_payment_methods_require_a_return_url_as_on_stripe(client):
    params = {"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(params=params)
    assert "return_url" in caught.value.user_message
    with_url = client.v1.payment_intents.create(params={**params, "return_url": "https://shop.test/return"})
    assert with_url.status == "succeeded"


def test_declined_card_is_402_card_error_and_intent_requires_payment_method(client):
    with pytest.raises(stripe.CardError) as caught:
        pay(client, "pm_card_chargeDeclined")
    error = caught.value
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "generic_decline")
    assert error.json_body["error"]["type"] == "card_error"
    intent = client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert intent.last_payment_error.decline_code == "generic_decline"
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.status, charge.failure_code, charge.paid) == ("failed", "card_declined", False)
    retried = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    assert retried.status == "succeeded"


def test_lists_filter_by_customer_and_payment_intent(client):
    ana, ben = client.v1.customers.create(), client.v1.customers.create()
    first = pay(client, customer=ana.id)
    second = pay(client, customer=ana.id)
    pay(client, customer=ben.id)
    intents = client.v1.payment_intents.list(params={"customer": ana.id})
    assert [i.id for i in intents.data] == [second.id, first.id], "newest first"
    charges = client.v1.charges.list(params={"payment_intent": first.id})
    assert [c.id for c in charges.data] == [first.latest_charge]
    assert len(client.v1.charges.list(params={"customer": ben.id}).data) == 1


def test_pagination_and_expand(client):
    ids = [pay(client).id for _ in range(5)]
    page = client.v1.payment_intents.list(params={"limit": 2})
    assert page.has_more and [i.id for i in page.data] == ids[::-1][:2]
    everything = [i.id for i in page.auto_paging_iter()]
    assert everything == ids[::-1]
    expanded = client.v1.payment_intents.retrieve(ids[0], params={"expand": ["latest_charge.balance_transaction"]})
    assert expanded.latest_charge.object == "charge"
    assert expanded.latest_charge.balance_transaction.object == "balance_transaction"


def test_cancel_payment_intent(client):
    intent = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method_types": ["card"]}
    )
    canceled = client.v1.payment_intents.cancel(intent.id, params={"cancellation_reason": "abandoned"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")


async def test_async_client_over_httpx(emulator):
    client = emulator.stripe_client(http_client=stripe.HTTPXClient())
    intent = await client.v1.payment_intents.create_async(params=card_payment(1200))
    refund = await client.v1.refunds.create_async(params={"payment_intent": intent.id})
    assert (intent.status, refund.status, refund.amount) == ("succeeded", "succeeded", 1200)
