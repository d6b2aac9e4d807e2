"""one order per payment (a unique payment intent), and the Stripe customer who paid

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def _refuse_shared_payments() -> None:
    """Orders already sharing a payment cannot be split by a migration: a person decides which order it paid."""
    shared = op.get_bind().execute(
        sa.text(
            "SELECT payment_intent_id, COUNT(*) FROM orders GROUP BY payment_intent_id HAVING COUNT(*) > 1"
        )
    ).all()
    if shared:
        listed = ", ".join(f"{intent} ({count} orders)" for intent, count in shared)
        raise RuntimeError(
            f"these payments pay more than one order: {listed}; decide which order each paid and correct the others "
            "before upgrading (a payment belongs to one order only)"
        )


def upgrade() -> None:
    _refuse_shared_payments()
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_customer_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.drop_index(batch_op.f("ix_orders_payment_intent_id"))
        batch_op.create_index(batch_op.f("ix_orders_payment_intent_id"), ["payment_intent_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_payment_intent_id"))
        batch_op.create_index(batch_op.f("ix_orders_payment_intent_id"), ["payment_intent_id"], unique=False)
        batch_op.drop_column("stripe_customer_id")
