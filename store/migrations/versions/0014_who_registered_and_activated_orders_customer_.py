"""who registered and activated each order, the customer events trail, the staff id on contacts; audit tables append-only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-11 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types
from store.append_only import AUDIT_TABLES, protect, unprotect

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Protected too when present: the staff changes trail (staff_events), added by its own migration.
OPTIONAL_AUDIT_TABLES = ("staff_events",)


def _audit_tables() -> list[str]:
    """The audit tables this database has."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    return [table for table in (*AUDIT_TABLES, *OPTIONAL_AUDIT_TABLES) if table in present]


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_by_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("registered_by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column("activated_by_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("activated_by_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table(
        "customer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("order_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.customer_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_events_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_events_order_id"), ["order_id"], unique=False)
    # Last: the column changes above must not rebuild a table after its triggers exist (SQLite would drop them).
    for table in _audit_tables():
        protect(op.get_bind(), table)


def downgrade() -> None:
    for table in _audit_tables():
        unprotect(op.get_bind(), table)
    with op.batch_alter_table("customer_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_events_order_id"))
        batch_op.drop_index(batch_op.f("ix_customer_events_customer_id"))
    op.drop_table("customer_events")
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.drop_column("recorded_by_id")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("activated_by_name")
        batch_op.drop_column("activated_by_id")
        batch_op.drop_column("registered_by_name")
        batch_op.drop_column("registered_by_id")
