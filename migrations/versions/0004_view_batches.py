"""View batches: the token of each batch of views written from Redis, so a batch a flusher wrote but could not
delete from Redis is not counted twice; downgrade drops the table (the tokens only matter for a few seconds).

Revision ID: 0004_view_batches
Revises: 0003_bulletins
Create Date: 2026-12-07 18:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_view_batches"
down_revision = "0003_bulletins"
branch_labels = None
depends_on = None


def upgrade():
    # Like the baseline, only what is missing (a database made whole from the models has it already).
    if "view_batches" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "view_batches",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("view_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_batches_written_at"), ["written_at"], unique=False)


def downgrade():
    with op.batch_alter_table("view_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_batches_written_at"))
    op.drop_table("view_batches")
