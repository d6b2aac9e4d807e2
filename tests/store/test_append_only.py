"""Audit tables refuse UPDATE, DELETE (and TRUNCATE) in the database itself, whoever connects (issue 11, item 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from domain.orders import CustomerEventKind
from domain.roles import Actor, Role
from store.append_only import AUDIT_TABLES
from store.customer_events import record_event
from store.db import Database
from store.dispute_tables import CustomerContact
from store.refund_tables import Refund, RefundEvent
from store.staff import create_staff, find_staff, record_change
from store.tables import Customer, Order

PAID = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
SHOP = Actor(actor_id="stf_shop", name="shop", roles=(Role.SHOP,))
# Written once per event and read back to tell a duplicate webhook: not an audit trail of ours (yet).
NOT_AUDIT = {"stripe_events"}
# The column of each audit table the tests try to overwrite.
WHO = {"customer_contacts": "recorded_by", "staff_events": "by"}


def _one_row_in_each(session: Session) -> None:
    """A customer, an order, a refund, and one row in every audit table (each with id 1)."""
    session.add(Customer(customer_id="cus-1", email="ada@example.com"))
    session.flush()
    session.add(
        Order(
            order_id="ord-1",
            customer_id="cus-1",
            customer_email="ada@example.com",
            plan_months=12,
            amount_minor=11988,
            currency="eur",
            payment_intent_id="pi_1",
            paid_at=PAID,
        )
    )
    session.flush()
    session.add(
        Refund(
            refund_id="rf-1",
            workflow_id="refund-rf-1",
            order_id="ord-1",
            customer_id="cus-1",
            reason="not_activated",
            status="received",
            amount_minor=11988,
            currency="eur",
            requested_by_id="stf_support",
            requested_by_name="support",
            requested_at=PAID,
            customer_contacted_at=PAID,
            request_fingerprint="0" * 64,
        )
    )
    session.flush()
    session.add(
        RefundEvent(refund_id="rf-1", seq=1, at=PAID, kind="received", status="received", actor_id="x", actor_name="x")
    )
    session.add(
        CustomerContact(
            customer_id="cus-1", channel="phone", contacted_at=PAID, recorded_by="support", recorded_by_id="stf_s"
        )
    )
    record_event(session, "cus-1", CustomerEventKind.ORDER_REGISTERED, SHOP, order_id="ord-1")
    create_staff(session, "ada", [Role.SUPPORT], "ada@example.com", "cli:ops")  # its "created" staff event


@pytest.fixture
def audited(database: Database) -> Database:
    """The database with one row in each audit table."""
    database.transact(_one_row_in_each)
    return database


def _count(database: Database, table: str) -> int:
    """How many rows `table` holds."""
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET actor_name = 'someone else' WHERE id = 1",
        "DELETE FROM {table} WHERE id = 1",
        "DELETE FROM {table}",
    ],
    ids=["update", "delete", "delete-all"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_row(audited: Database, table: str, statement: str) -> None:
    sql = statement.format(table=table).replace("actor_name", WHO.get(table, "actor_name"))
    with pytest.raises(DBAPIError, match=f"{table} is append-only"):
        with audited.engine.begin() as connection:
            connection.execute(text(sql))
    assert _count(audited, table) == 1
    with audited.engine.connect() as connection:
        column = WHO.get(table, "actor_name")
        assert connection.execute(text(f"SELECT {column} FROM {table}")).scalar_one() != "someone else"


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_appending_still_works(audited: Database, table: str) -> None:
    def append(session: Session) -> None:
        if table == "refund_events":
            session.add(
                RefundEvent(refund_id="rf-1", seq=2, at=PAID, kind="x", status="received", actor_id="x", actor_name="x")
            )
        elif table == "customer_contacts":
            session.add(CustomerContact(customer_id="cus-1", channel="email", contacted_at=PAID, recorded_by="s"))
        elif table == "staff_events":
            record_change(session, find_staff(session, "ada"), "revoked", "cli:ops", note="left the team")
        else:
            record_event(session, "cus-1", CustomerEventKind.ORDER_ACTIVATED, SHOP, order_id="ord-1")

    audited.transact(append)
    assert _count(audited, table) == 2


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_truncate_is_refused_on_postgresql(audited: Database, table: str) -> None:
    if audited.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE FROM without WHERE is refused above)")
    with pytest.raises(DBAPIError, match=f"{table} is append-only"):
        with audited.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
    assert _count(audited, table) == 1


def test_every_trail_in_the_schema_is_protected(database: Database) -> None:
    # A trail added later (staff_events, say) without its triggers, or a SQLite rebuild that dropped them, fails here.
    with database.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if connection.dialect.name == "postgresql":
            rows = connection.execute(
                text("SELECT DISTINCT event_object_table, event_manipulation FROM information_schema.triggers")
            )
        else:
            rows = connection.execute(
                text(
                    "SELECT tbl_name, upper(substr(name, length(tbl_name) + 5)) "
                    "FROM sqlite_master WHERE type = 'trigger'"
                )
            )
        protected: dict[str, set[str]] = {}
        for table, operation in rows:
            protected.setdefault(table, set()).add(operation)
    trails = {t for t in tables if t.endswith("_events") and t not in NOT_AUDIT} | set(AUDIT_TABLES)
    assert trails <= tables
    assert {t: protected.get(t, set()) >= {"UPDATE", "DELETE"} for t in trails} == dict.fromkeys(trails, True)
