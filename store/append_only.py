"""Audit tables refuse UPDATE and DELETE in the database itself, whoever connects: triggers on PostgreSQL and SQLite.

Migrations call `protect` when they create an audit table. On SQLite, a batch migration that rebuilds such a table
(dropping or retyping a column) drops its triggers with the old copy: it must call `protect` again afterwards.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# The audit trails: refund steps, changes to customers and their orders, customers' contacts with support, changes to
# staff records.
AUDIT_TABLES = ("refund_events", "customer_events", "customer_contacts", "staff_events")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: its rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _message(table: str) -> str:
    """What the database answers to a change of `table`."""
    return f"{table} is append-only: its rows are never changed or removed"


def protect(connection: Connection, table: str) -> None:
    """Make `table` refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL); safe to repeat."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(_PG_FUNCTION))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()"
            )
        )
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()"
            )
        )
        return
    for statement in ("UPDATE", "DELETE"):
        name = f"{table}_no_{statement.lower()}"
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(
            text(
                f"CREATE TRIGGER {name} BEFORE {statement} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END"
            )
        )


def unprotect(connection: Connection, table: str) -> None:
    """Remove `table`'s triggers (a downgrade)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"))
        return
    for statement in ("update", "delete"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{statement}"))
