"""Baseline: the schema of the last release without migrations (7d9b788), its search index included.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-07

Sites made by that release's `flask init-db` already hold all of this, without an alembic_version table.
Rather than detect them and stamp, this revision creates only what is missing: each table that does not
exist yet (with its indexes), the search index with IF NOT EXISTS and OR REPLACE, a trigger whose text
differs replaced, and the index filled when it is out of step with the articles. So one `flask db upgrade`
serves an empty database, such a site, and a database half made (a create_all that stopped, a `seed-demo`
run before `init-db`): stamping would have trusted a database it had not looked at. A table that exists is
taken as the release's own, which made every table with exactly these columns (tests/test_migrations.py
upgrades a copy of such a database).

A migration is a snapshot: the SQL below is copied from services/search/index.py as it stood, not imported,
so a later change there cannot change what this revision does.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def _categories():
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_categories_slug", "categories", ["slug"], unique=True)


def _photo_items():
    op.create_table(
        "photo_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("image_path", sa.String(length=500), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_photo_items_taken_at", "photo_items", ["taken_at"], unique=False)


def _videos():
    op.create_table(
        "videos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("poster_path", sa.String(length=500), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.Column("external_url", sa.String(length=1000), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_videos_published_at", "videos", ["published_at"], unique=False)


def _links():
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def _articles():
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("slug", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("views", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
    )
    op.create_index("ix_articles_slug", "articles", ["slug"], unique=True)
    op.create_index("ix_articles_category_id", "articles", ["category_id"], unique=False)
    op.create_index("ix_articles_status", "articles", ["status"], unique=False)
    op.create_index("ix_articles_published_at", "articles", ["published_at"], unique=False)


def _figures():
    op.create_table(
        "figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_path", sa.String(length=500), nullable=False),
        sa.Column("alt", sa.String(length=500), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
    )
    op.create_index("ix_figures_article_id", "figures", ["article_id"], unique=False)


# In the order create_all made them: a table comes after the ones its foreign keys point to.
TABLES = {
    "categories": _categories,
    "photo_items": _photo_items,
    "videos": _videos,
    "links": _links,
    "articles": _articles,
    "figures": _figures,
}

# SQLite: an FTS5 table of folded text, kept by triggers. docbai_search_fold and docbai_search_fold_html are
# Python functions the app registers on every connection it opens (app._prepare_connection), which is why
# the migrations run through `flask db`, on the app's own engine.
_SQLITE_ROW = "docbai_search_fold(new.title), docbai_search_fold(new.summary), docbai_search_fold_html(new.body_html)"
SQLITE_SEARCH_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
)
SQLITE_SEARCH_TRIGGERS = {
    "article_search_insert": "CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = new.id; "
    f"INSERT INTO article_search (rowid, title, summary, body) VALUES (new.id, {_SQLITE_ROW}); END",
    "article_search_update": "CREATE TRIGGER article_search_update "
    "AFTER UPDATE OF id, title, summary, body_html ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = old.id; "
    f"INSERT INTO article_search (rowid, title, summary, body) VALUES (new.id, {_SQLITE_ROW}); END",
    "article_search_delete": "CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = old.id; END",
}
SQLITE_SEARCH_FILL = [
    "DELETE FROM article_search",
    "INSERT INTO article_search (rowid, title, summary, body) "
    "SELECT id, docbai_search_fold(title), docbai_search_fold(summary), docbai_search_fold_html(body_html) "
    "FROM articles",
]

# PostgreSQL: unaccent in public (a site or a test in a schema of its own must not take it along when that
# schema is dropped), the folding functions, a tsvector table with a GIN index, and one trigger.
POSTGRESQL_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE OR REPLACE FUNCTION docbai_search_fold(value text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT regexp_replace(lower(unaccent(coalesce(value, ''))), '[^[:alnum:]]+', ' ', 'g')
    $$""",
    """CREATE OR REPLACE FUNCTION docbai_search_document(title text, summary text, body_html text)
        RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector('simple', docbai_search_fold(title)), 'A')
            || setweight(to_tsvector('simple', docbai_search_fold(summary)), 'B')
            || setweight(to_tsvector('simple', docbai_search_fold(
                   regexp_replace(regexp_replace(coalesce(body_html, ''), '<[^>]*>', ' ', 'g'),
                                  '&#?[A-Za-z0-9]+;', ' ', 'g'))), 'D')
    $$""",
    # No foreign key: db.drop_all() must still be able to drop `articles`, which it does not know depends on this.
    """CREATE TABLE IF NOT EXISTS article_search (
        article_id integer PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS article_search_document ON article_search USING gin (document)",
    """CREATE OR REPLACE FUNCTION docbai_article_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.id <> OLD.id) THEN
            DELETE FROM article_search WHERE article_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO article_search (article_id, document)
            VALUES (NEW.id, docbai_search_document(NEW.title, NEW.summary, NEW.body_html))
            ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
        END IF;
        RETURN NULL;
    END
    $$""",
    "CREATE OR REPLACE TRIGGER article_search_refresh AFTER INSERT OR DELETE OR UPDATE OF id, title, summary, body_html "
    "ON articles FOR EACH ROW EXECUTE FUNCTION docbai_article_search_refresh()",
]
POSTGRESQL_SEARCH_FILL = [
    "DELETE FROM article_search",
    "INSERT INTO article_search (article_id, document) "
    "SELECT id, docbai_search_document(title, summary, body_html) FROM articles",
]


def upgrade():
    """Create whatever of the baseline the database lacks; fill the search index when it is out of step."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()
    if bind.dialect.name == "sqlite":
        op.execute(SQLITE_SEARCH_TABLE)
        triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'"))
        present = {name: statement for name, statement in triggers}
        for name, statement in SQLITE_SEARCH_TRIGGERS.items():
            # pysqlite runs DDL outside a transaction: a trigger already right is left alone, so no write
            # made while the upgrade runs can miss the index.
            if present.get(name) != statement:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
                op.execute(statement)
        fill = SQLITE_SEARCH_FILL
    elif bind.dialect.name == "postgresql":
        for statement in POSTGRESQL_SEARCH:
            op.execute(statement)
        fill = POSTGRESQL_SEARCH_FILL
    else:
        raise NotImplementedError(f"docbai runs on SQLite or PostgreSQL, not {bind.dialect.name}")
    indexed = bind.execute(sa.text("SELECT count(*) FROM article_search")).scalar_one()
    if indexed != bind.execute(sa.text("SELECT count(*) FROM articles")).scalar_one():
        for statement in fill:
            op.execute(statement)


def downgrade():
    """Drop every table and the search index: an empty database (take a backup first)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_SEARCH_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        # unaccent stays: it lives in public, where other schemas of the database may use it.
        op.execute("DROP TRIGGER IF EXISTS article_search_refresh ON articles")
        op.execute("DROP FUNCTION IF EXISTS docbai_article_search_refresh(), docbai_search_document(text, text, text), "
                   "docbai_search_fold(text)")
    op.execute("DROP TABLE IF EXISTS article_search")
    for name in reversed(TABLES):
        op.drop_table(name)
