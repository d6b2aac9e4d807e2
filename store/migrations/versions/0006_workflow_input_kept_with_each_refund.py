"""workflow input kept with each refund, so a refund whose workflow did not start is started later

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workflow_input", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_column("workflow_input")
