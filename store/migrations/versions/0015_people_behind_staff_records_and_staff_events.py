"""the person behind each staff record, and the append-only trail of staff changes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types
from store.append_only import protect, unprotect

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    # Each existing record was its own person: nothing tells two of them apart as the same one.
    connection = op.get_bind()
    staff = sa.table("staff", sa.column("staff_id"), sa.column("person_id"), sa.column("created_at"))
    people = sa.table("people", sa.column("person_id"), sa.column("email"), sa.column("created_at"))
    for staff_id, created_at in connection.execute(sa.select(staff.c.staff_id, staff.c.created_at)).all():
        person_id = f"per_{staff_id.removeprefix('stf_')}"
        connection.execute(sa.insert(people).values(person_id=person_id, email=None, created_at=created_at))
        connection.execute(sa.update(staff).where(staff.c.staff_id == staff_id).values(person_id=person_id))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("person_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_staff_person_id"), ["person_id"], unique=False)
        batch_op.create_foreign_key("fk_staff_person_id_people", "people", ["person_id"], ["person_id"])
    op.create_table(
        "staff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_events_staff_id"), ["staff_id"], unique=False)
    protect(op.get_bind(), "staff_events")


def downgrade() -> None:
    unprotect(op.get_bind(), "staff_events")
    with op.batch_alter_table("staff_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_events_staff_id"))
    op.drop_table("staff_events")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint("fk_staff_person_id_people", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_staff_person_id"))
        batch_op.drop_column("person_id")
    op.drop_table("people")
