"""'Refunded so far' counts open refunds: the duplicate check and a second request see a refund awaiting approval."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import stripe
from platform_support import api_settings, order_body

from domain.roles import Actor, Role
from services import orders
from services.errors import Conflict
from services.refunds import RefundCreate, prepare
from store.db import Database
from store.migrate import upgrade

SUPPORT = Actor(actor_id="stf_support", name="support test", roles=(Role.SUPPORT,))


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated SQLite database."""
    database = Database(f"sqlite:///{tmp_path / 'refunds.db'}")
    upgrade(database)
    yield database
    database.dispose()


def _two_copies_of_one_payment(
    database: Database, unique: Callable[[str], str], shop_stripe: stripe.StripeClient
) -> tuple[str, str]:
    """Two orders of the same amount by one customer, paid a minute apart (a duplicate payment)."""
    customer = unique("cus")
    first, second = unique("ord-a"), unique("ord-b")
    paid = datetime.now(UTC) - timedelta(hours=1)
    for order_id, at in ((first, paid), (second, paid + timedelta(minutes=1))):
        body = order_body(shop_stripe, order_id, customer, paid_at=at)
        database.transact(partial(orders.register_order, stripe_client=shop_stripe, fields=body))
    return first, second


def test_the_other_copy_counts_its_open_refund(
    sqlite: Database, unique: Callable[[str], str], tmp_path: Path, shop_stripe: stripe.StripeClient
) -> None:
    settings = api_settings("sqlite://", tmp_path)
    first, second = _two_copies_of_one_payment(sqlite, unique, shop_stripe)
    opened = sqlite.transact(
        lambda s: prepare(s, settings, RefundCreate(order_id=first, reason="duplicate_payment"), SUPPORT, None)
    )
    assert opened.row.status == "received"  # open, waiting for its workflow: nothing has moved yet

    again = sqlite.transact(
        lambda s: prepare(s, settings, RefundCreate(order_id=second, reason="duplicate_payment"), SUPPORT, None)
    )
    [other] = again.workflow_input.other_payments
    assert other.order_id == first and other.refunded_minor == 11988
    # Both copies can never be verified for a refund: the first one is already being refunded.
    assert not again.assessment.verified
    assert any("already refunded or being refunded" in line for line in again.assessment.evidence)


def test_a_second_request_on_an_order_with_an_open_refund_names_it(
    sqlite: Database, unique: Callable[[str], str], tmp_path: Path, shop_stripe: stripe.StripeClient
) -> None:
    settings = api_settings("sqlite://", tmp_path)
    first, _ = _two_copies_of_one_payment(sqlite, unique, shop_stripe)
    opened = sqlite.transact(
        lambda s: prepare(s, settings, RefundCreate(order_id=first, reason="wrong_plan"), SUPPORT, None)
    )
    with pytest.raises(Conflict) as refused:  # 409 "open refund", not 422 "nothing left to refund"
        sqlite.transact(
            lambda s: prepare(s, settings, RefundCreate(order_id=first, reason="wrong_plan"), SUPPORT, None)
        )
    assert refused.value.extra["refund_id"] == opened.row.refund_id
    assert "already has an open refund" in refused.value.message
