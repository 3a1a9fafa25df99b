"""Bulletins: a day's bulletin of articles (bulletins, bulletin_items) for the loudspeakers, the podcast and the
notice board; downgrade drops both tables and every bulletin with them.

Revision ID: 0003_bulletins
Revises: 0002_newsroom
Create Date: 2026-12-07 17:02:04.371000

A migration is a snapshot: write out any SQL it needs here instead of importing it from the live code,
which may change after this migration has run on some sites and not on others.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003_bulletins"
down_revision = "0002_newsroom"
branch_labels = None
depends_on = None


def upgrade():
    # Like the baseline, only what is missing: a database made whole from the models but never stamped (an
    # init-db of this code interrupted before its stamp, the test suite's create_schema) already has them.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "bulletins" not in existing:
        _bulletins()
    if "bulletin_items" not in existing:
        _bulletin_items()


def _bulletins():
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('composed_by', sa.String(length=20), nullable=False),
    sa.Column('opening', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audio_key', sa.String(length=64), nullable=True),
    sa.Column('audio_bytes', sa.Integer(), nullable=True),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('engine', sa.String(length=20), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletins_day'), ['day'], unique=True)
        batch_op.create_index(batch_op.f('ix_bulletins_status'), ['status'], unique=False)



def _bulletin_items():
    op.create_table('bulletin_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reading', sa.String(length=20), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('start_seconds', sa.Float(), nullable=True),
    # In the order the models write them, so SQLite's stored DDL is the same as init-db's.
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bulletin_id', 'article_id', name='uq_bulletin_items_article'),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    )
    with op.batch_alter_table('bulletin_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_items_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_items_bulletin_id'), ['bulletin_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bulletin_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_items_bulletin_id'))
        batch_op.drop_index(batch_op.f('ix_bulletin_items_article_id'))

    op.drop_table('bulletin_items')
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletins_status'))
        batch_op.drop_index(batch_op.f('ix_bulletins_day'))

    op.drop_table('bulletins')
