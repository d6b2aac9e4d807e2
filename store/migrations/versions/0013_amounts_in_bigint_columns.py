"""amounts in BIGINT columns on PostgreSQL (INTEGER stopped at 2**31 - 1); SQLite's INTEGER already holds 64 bits

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

AMOUNT_COLUMNS = (("orders", "amount_minor"), ("refunds", "amount_minor"), ("disputes", "amount_minor"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in AMOUNT_COLUMNS:
        op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in AMOUNT_COLUMNS:
        op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
