"""Full-text search over published articles, on SQLite (FTS5) or PostgreSQL (tsvector with unaccent).

Both engines keep a table `article_search` filled by triggers on `articles`, so every write — import,
edit, demo seed, a raw SQL fix — updates the index in the same transaction. `search_articles()` is the
one function that hides which engine answers.
"""
from __future__ import annotations

from sqlalchemy import (
    Connection,
    Select,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import selectinload

from extensions import db
from models import Article
from services.content.articles import published_articles
from services.search.text import SearchQuery, fold, fts5_match_expression, html_to_text

# A word in the title counts ten times a word in the body, one in the summary four times.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0

_SQLITE_FOLD = "docbai_search_fold"
_SQLITE_FOLD_HTML = "docbai_search_fold_html"


def _fold_html(html: str | None) -> str:
    return fold(html_to_text(html or ""))


def register_sqlite_search_functions(dbapi_connection) -> None:
    """Give a new SQLite connection the functions the search triggers call (the app does this on connect)."""
    # Registering them on every connection is what lets any write through the app, the CLI or the tests
    # keep the index current. A write from a bare sqlite3 shell fails with "no such function" rather than
    # leaving the index stale.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function(_SQLITE_FOLD, 1, lambda value: fold(value or ""), deterministic=True)
        dbapi_connection.create_function(_SQLITE_FOLD_HTML, 1, _fold_html, deterministic=True)


_SQLITE_ROW = f"{_SQLITE_FOLD}(new.title), {_SQLITE_FOLD}(new.summary), {_SQLITE_FOLD_HTML}(new.body_html)"

_SQLITE_TABLE = (
    # The index holds folded text (lowercase, no diacritics, đ as d); unicode61 removes diacritics again
    # only as a safety net for rows written by another tool.
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
)

_SQLITE_TRIGGERS = {
    # A leftover row with the same id (after tables were dropped and made again) is replaced, not a conflict.
    "article_search_insert": "CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = new.id; "
    f"INSERT INTO article_search (rowid, title, summary, body) VALUES (new.id, {_SQLITE_ROW}); END",
    # Only what is searched re-indexes: a view count going up touches nothing here.
    "article_search_update": "CREATE TRIGGER article_search_update "
    "AFTER UPDATE OF id, title, summary, body_html ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = old.id; "
    f"INSERT INTO article_search (rowid, title, summary, body) VALUES (new.id, {_SQLITE_ROW}); END",
    "article_search_delete": "CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN "
    "DELETE FROM article_search WHERE rowid = old.id; END",
}

_SQLITE_REBUILD = [
    "DELETE FROM article_search",
    "INSERT INTO article_search (rowid, title, summary, body) "
    f"SELECT id, {_SQLITE_FOLD}(title), {_SQLITE_FOLD}(summary), {_SQLITE_FOLD_HTML}(body_html) FROM articles",
]

_POSTGRESQL_SCHEMA = [
    # unaccent folds Vietnamese, đ included; it is a trusted extension, so a database owner may create it. In
    # public, not the first schema of the search path: a site (or a test) in a schema of its own would
    # otherwise take the extension with it when that schema is dropped, from under every other schema.
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    # Lowercase, no diacritics, and every non-alphanumeric run a space: the words SQLite's unicode61 sees.
    """CREATE OR REPLACE FUNCTION docbai_search_fold(value text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT regexp_replace(lower(unaccent(coalesce(value, ''))), '[^[:alnum:]]+', ' ', 'g')
    $$""",
    # Sanitized article HTML: tags and character references become spaces (what readers see, nothing else).
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

_POSTGRESQL_REBUILD = [
    "DELETE FROM article_search",
    "INSERT INTO article_search (article_id, document) "
    "SELECT id, docbai_search_document(title, summary, body_html) FROM articles",
]


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"search needs SQLite or PostgreSQL, not {name}")
    return name


def create_search_index(connection: Connection) -> None:
    """Create the search index and its triggers if missing, filling it when it is new or out of step."""
    if _dialect(connection) == "sqlite":
        _create_sqlite_index(connection)
    else:
        for statement in _POSTGRESQL_SCHEMA:
            connection.execute(text(statement))
    indexed = connection.execute(text("SELECT count(*) FROM article_search")).scalar_one()
    articles = connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
    if indexed != articles:
        rebuild_search_index(connection)


def _create_sqlite_index(connection: Connection) -> None:
    connection.execute(text(_SQLITE_TABLE))
    triggers = text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'")
    existing = {name: statement for name, statement in connection.execute(triggers)}
    for name, statement in _SQLITE_TRIGGERS.items():
        # pysqlite runs DDL outside a transaction, so a trigger is replaced only when its text changed:
        # on every other start there is no moment at which a write could miss the index.
        if existing.get(name) == statement:
            continue
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        connection.execute(text(statement))


def rebuild_search_index(connection: Connection) -> int:
    """Index every article again from scratch; returns how many were indexed."""
    rebuild = _SQLITE_REBUILD if _dialect(connection) == "sqlite" else _POSTGRESQL_REBUILD
    for statement in rebuild:
        connection.execute(text(statement))
    return connection.execute(text("SELECT count(*) FROM article_search")).scalar_one()


_sqlite_index = table("article_search", column("rowid"))
_postgresql_index = table("article_search", column("article_id"), column("document", TSVECTOR))


def search_articles(query: SearchQuery) -> Select:
    """A select of the published articles matching every word of the query, best match first."""
    statement = published_articles().order_by(None).options(selectinload(Article.category))
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgresql_search(statement, query)
    return _sqlite_search(statement, query)


def _sqlite_search(statement: Select, query: SearchQuery) -> Select:
    index = literal_column("article_search")
    # Materialized first, so SQLite runs one full-text query and then looks articles up by id; left to
    # itself it plans the count of a page the other way round, one full-text query per article.
    hits = (
        select(_sqlite_index.c.rowid.label("article_id"),
               func.bm25(index, TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT).label("rank"))
        .where(index.op("MATCH")(fts5_match_expression(query)))
        .cte("search_hits")
        .prefix_with("MATERIALIZED")
    )
    return (
        statement.join(hits, hits.c.article_id == Article.id)
        .order_by(hits.c.rank, Article.published_at.desc(), Article.id.desc())
    )


def _postgresql_search(statement: Select, query: SearchQuery) -> Select:
    config = literal_column("'simple'::regconfig")
    words = func.docbai_search_fold(" ".join(query.words))
    every_word = func.plainto_tsquery(config, words)
    as_phrase = func.phraseto_tsquery(config, words)
    document = _postgresql_index.c.document
    # Weights for D (body), C (unused), B (summary), A (title), in the same proportions as on SQLite.
    weights = literal_column(f"'{{{BODY_WEIGHT / TITLE_WEIGHT}, 0, {SUMMARY_WEIGHT / TITLE_WEIGHT}, 1}}'::float4[]")
    # Cover density counts how close the words stand, so the phrase adds only where it really occurs
    # (plain ts_rank would score "Trần Quốc Bảo … Tân Phong" as the phrase "quốc phòng").
    closeness = func.ts_rank_cd(weights, document, every_word) + func.ts_rank_cd(weights, document, as_phrase)
    # A title holding every word comes before an article that only repeats them in its body.
    in_title = case((func.ts_filter(document, literal_column("'{a}'::\"char\"[]")).op("@@")(every_word), 1.0), else_=0.0)
    rank = closeness + in_title
    return (
        statement.join(_postgresql_index, _postgresql_index.c.article_id == Article.id)
        .where(document.op("@@")(every_word))
        .order_by(rank.desc(), Article.published_at.desc(), Article.id.desc())
    )
