"""why a refund needs a person, and the order's earlier rejected requests, kept with each refund

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earlier_rejected_refund_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("decision_needs_person", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("decision_needs_person")
        batch_op.drop_column("earlier_rejected_refund_ids")
