"""'Refunded so far' counts open refunds: the duplicate check and a second request see a refund awaiting approval."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from platform_support import api_settings, order_body

from domain.roles import Actor, Role
from services import orders
from services.errors import Conflict
from services.refunds import RefundCreate, prepare
from store.db import Database
from store.migrate import upgrade

SUPPORT = Actor(actor_id="stf_support", name="support test", roles=(Role.SUPPORT,))
SHOP = Actor(actor_id="stf_shop", name="shop test", roles=(Role.SHOP,))


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated SQLite database."""
    database = Database(f"sqlite:///{tmp_path / 'refunds.db'}")
    upgrade(database)
    yield database
    database.dispose()


def _register(session: Any, body: Any) -> Any:
    """Register one order in a session."""
    return orders.register_order(session, body, SHOP)


def _two_copies_of_one_payment(database: Database, unique: Callable[[str], str]) -> tuple[str, str]:
    """Two orders of the same amount by one customer, paid a minute apart (a duplicate payment)."""
    customer = unique("cus")
    first, second = unique("ord-a"), unique("ord-b")
    paid = datetime.now(UTC) - timedelta(hours=1)
    for order_id, at, intent in ((first, paid, "pi_copy_a"), (second, paid + timedelta(minutes=1), "pi_copy_b")):
        body = order_body(order_id, customer, paid_at=at, payment_intent_id=intent)
        database.transact(partial(_register, body=body))
    return first, second


def test_the_other_copy_counts_its_open_refund(sqlite: Database, unique: Callable[[str], str], tmp_path: Path) -> None:
    settings = api_settings("sqlite://", tmp_path)
    first, second = _two_copies_of_one_payment(sqlite, unique)
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
    sqlite: Database, unique: Callable[[str], str], tmp_path: Path
) -> None:
    settings = api_settings("sqlite://", tmp_path)
    first, _ = _two_copies_of_one_payment(sqlite, unique)
    opened = sqlite.transact(
        lambda s: prepare(s, settings, RefundCreate(order_id=first, reason="wrong_plan"), SUPPORT, None)
    )
    with pytest.raises(Conflict) as refused:  # 409 "open refund", not 422 "nothing left to refund"
        sqlite.transact(
            lambda s: prepare(s, settings, RefundCreate(order_id=first, reason="wrong_plan"), SUPPORT, None)
        )
    assert refused.value.extra["refund_id"] == opened.row.refund_id
    assert "already has an open refund" in refused.value.message
