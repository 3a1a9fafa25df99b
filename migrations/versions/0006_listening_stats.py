"""Listening statistics: per article and day, how many views, plays started, plays that reached the end, MP3
and PDF downloads (article_day_counts), and how many plays reached each sentence (sentence_day_counts);
downgrade drops both tables (and the counts in them).

Revision ID: 0006_listening_stats
Revises: 0004_view_batches
Create Date: 2026-12-07 19:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_listening_stats"
down_revision = "0005_lexicon"
branch_labels = None
depends_on = None


def upgrade():
    # Like the baseline, only what is missing (a database made whole from the models has it already).
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "article_day_counts" not in tables:
        op.create_table(
            "article_day_counts",
            sa.Column("article_id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("event", sa.String(length=12), nullable=False),
            sa.Column("count", sa.Integer(), server_default="0", nullable=False),
            sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("article_id", "day", "event"),
        )
        with op.batch_alter_table("article_day_counts", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_article_day_counts_day"), ["day"], unique=False)
    if "sentence_day_counts" not in tables:
        op.create_table(
            "sentence_day_counts",
            sa.Column("article_id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("sentence", sa.Integer(), nullable=False),
            sa.Column("listeners", sa.Integer(), server_default="0", nullable=False),
            sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("article_id", "day", "sentence"),
        )
        with op.batch_alter_table("sentence_day_counts", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_sentence_day_counts_day"), ["day"], unique=False)


def downgrade():
    with op.batch_alter_table("sentence_day_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentence_day_counts_day"))
    op.drop_table("sentence_day_counts")
    with op.batch_alter_table("article_day_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_day_counts_day"))
    op.drop_table("article_day_counts")
