"""'Refunded so far' counts open refunds: the duplicate check and a second request see a refund awaiting approval."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import stripe
from platform_support import api_settings, order_body
from sqlalchemy import event

from domain.roles import Actor, Role
from services import orders
from services.errors import Conflict
from services.refunds import RefundCreate, prepare
from store.db import Database
from store.migrate import upgrade
from store.refunds import other_orders_refunded_so_far
from store.tables import Order

SUPPORT = Actor(actor_id="stf_support", name="support test", roles=(Role.SUPPORT,))
SHOP = Actor(actor_id="stf_shop", name="shop test", roles=(Role.SHOP,))


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
        database.transact(partial(orders.register_order, stripe_client=shop_stripe, fields=body, actor=SHOP))
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


def test_the_customers_other_payments_come_in_one_query(
    database: Database, unique: Callable[[str], str], tmp_path: Path, shop_stripe: stripe.StripeClient
) -> None:
    settings = api_settings("sqlite://", tmp_path)
    customer = unique("cus")
    paid = datetime.now(UTC) - timedelta(days=3)
    order_ids = [unique(f"ord-{n}") for n in range(6)]
    for n, order_id in enumerate(order_ids):
        body = order_body(shop_stripe, order_id, customer, paid_at=paid + timedelta(hours=n))
        database.transact(partial(orders.register_order, stripe_client=shop_stripe, fields=body, actor=SHOP))
    for order_id in order_ids[1:3]:  # two of the other orders have an open refund of their whole amount
        request = RefundCreate(order_id=order_id, reason="wrong_plan")
        database.transact(partial(prepare, settings=settings, body=request, actor=SUPPORT, idempotency_key=None))
    statements: list[str] = []
    listen = partial(event.listen, database.engine, "before_cursor_execute")
    # Queries only: on SQLite the writer's COMMIT is a statement of its own (store.sqlite_writer).
    listen(lambda *args: None if args[2] == "COMMIT" else statements.append(args[2]))

    def others(session: Any) -> list[tuple[str, int]]:
        order = session.get(Order, order_ids[0])
        statements.clear()
        return [(other.order_id, refunded) for other, refunded in other_orders_refunded_so_far(session, order)]

    found = dict(database.transact(others))
    assert len(statements) == 1, statements  # not one query per order
    assert found == {order_id: (11988 if order_id in order_ids[1:3] else 0) for order_id in order_ids[1:]}
