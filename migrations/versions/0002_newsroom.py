"""Newsroom: staff accounts, article revisions, the audit log, and what the article workflow keeps on articles.

Revision ID: 0002_newsroom
Revises: 0001_baseline
Create Date: 2026-12-07

Articles gain three columns, added in place (no copy of the table, so the search triggers and the figures'
foreign key stay as they are): edit_version (a save from an older number is refused), first_published_at
(set here to published_at for what readers already see) and deleted_at (the soft delete).

Like the baseline, it makes only what is missing: a database made from the models themselves without being
stamped (create_schema, as the tests and an interrupted set-up leave it) already holds all of it.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0002_newsroom"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade():
    """The three newsroom tables, the articles' new columns, and when each published article first appeared."""
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "users" not in tables:
        _users()
    if "audit_events" not in tables:
        _audit_events()
    if "article_revisions" not in tables:
        _article_revisions()
    columns = {column["name"] for column in inspector.get_columns("articles")}
    if "edit_version" not in columns:
        # Plain ALTER TABLE … ADD COLUMN on both engines: a batch operation would copy the table on SQLite.
        op.add_column("articles", sa.Column("edit_version", sa.Integer(), server_default="0", nullable=False))
        op.add_column("articles", sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column("articles", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        op.execute("UPDATE articles SET first_published_at = published_at WHERE status = 'published'")


def _users():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=True)


def _audit_events():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_action", "audit_events", ["action"], unique=False)
    op.create_index("ix_audit_events_at", "audit_events", ["at"], unique=False)
    op.create_index("ix_audit_events_user_id", "audit_events", ["user_id"], unique=False)


def _article_revisions():
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "number", name="uq_article_revisions_article_number"),
    )
    op.create_index("ix_article_revisions_article_id", "article_revisions", ["article_id"], unique=False)


def downgrade():
    """Back to the baseline: the newsroom's tables and the articles' new columns go (their data with them)."""
    # ALTER TABLE … DROP COLUMN: SQLite has it since 3.35 (Python 3.11's is newer), and it keeps the triggers.
    op.drop_column("articles", "deleted_at")
    op.drop_column("articles", "first_published_at")
    op.drop_column("articles", "edit_version")
    op.drop_index("ix_article_revisions_article_id", table_name="article_revisions")
    op.drop_table("article_revisions")
    op.drop_index("ix_audit_events_user_id", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_users_username", table_name="users")
    op.drop_table("users")
