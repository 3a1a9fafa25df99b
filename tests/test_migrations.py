"""Migrations: a site made by the release before them upgrades in place with its data and search intact, the
migrations make exactly what the models declare, and init-db and `flask db upgrade` agree; on SQLite and
PostgreSQL."""
import contextlib
import datetime as dt
import itertools
import re
import shutil
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from commands.database import database_revision, head_revision
from extensions import db
from models import Article
from services.infra.schema import is_model_object
from services.search.index import search_articles
from services.search.text import parse_query
from settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
TABLES = ("categories", "articles", "figures", "photo_items", "videos", "links")
TERRACES = "mua-lua-chin-tren-ruong-bac-thang-mu-cang-chai"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_apps(request, tmp_path, monkeypatch, build_app):
    """Make apps on empty databases (no table at all) of one engine; each is torn down after the test."""
    numbers = itertools.count()
    with contextlib.ExitStack() as stack:
        def make():
            builder = build_app(tmp_path / f"app{next(numbers)}", monkeypatch, request.param, create_tables=False)
            app = next(builder)
            stack.callback(next, builder, None)
            return app

        yield make


@pytest.fixture
def empty_app(empty_apps):
    """One app on an empty database."""
    return empty_apps()


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _load_previous_release(app):
    """Fill the empty database with what the last release without migrations made (tests/fixtures)."""
    backend = app.config["TEST_BACKEND"]
    script = (FIXTURES / f"previous_release.{backend}.sql").read_text(encoding="utf-8")
    with app.app_context():
        raw = db.engine.raw_connection()  # the app's: on SQLite it has the functions the search triggers call
        try:
            if backend == "sqlite":
                raw.driver_connection.executescript(script)
            else:
                raw.driver_connection.execute(script)
                raw.commit()
        finally:
            raw.close()


def _rows(app):
    """Every row of every content table, as the database holds it (column name → value)."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            name: [dict(row) for row in connection.execute(sa.text(f"SELECT * FROM {name} ORDER BY id")).mappings()]
            for name in TABLES
        }


def _kept(before, after):
    """Whether every row of before is in after with the same values (later migrations may add columns)."""
    return before.keys() == after.keys() and all(
        len(rows) == len(after[name]) and all(old.items() <= new.items() for old, new in zip(rows, after[name]))
        for name, rows in before.items()
    )


def _found(app, words):
    with app.app_context():
        return [article.slug for article in db.session.execute(search_articles(parse_query(words))).scalars()]


def _pending_changes(app):
    """What `flask db migrate` would write: the difference between the database and the models."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": is_model_object, "compare_type": True, "compare_server_default": True,
        })
        return compare_metadata(context, db.metadata)


def _schema(app):
    """Everything the schema holds, search index included, in a form two databases can be compared by."""
    with app.app_context(), db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        described = [
            (name, sorted((c["name"], repr(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns(name)),
             inspector.get_pk_constraint(name)["constrained_columns"],
             sorted(str(fk) for fk in inspector.get_foreign_keys(name)),
             sorted(str(unique) for unique in inspector.get_unique_constraints(name)))
            for name in sorted(inspector.get_table_names())
            if name != "alembic_version" and not name.startswith("article_search")
        ]
        if connection.dialect.name == "sqlite":
            # Tables by what they hold, not by the text of their CREATE: a column added by ALTER TABLE is written
            # after the constraints there, where create_all writes it before. Everything else by its SQL.
            return described, sorted(connection.execute(sa.text(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '%alembic_version%' "
                "AND (type <> 'table' OR name LIKE 'article_search%')"
            )).all())
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        catalog = connection.execute(sa.text(
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
            "UNION ALL SELECT 'function', proname, pg_get_functiondef(p.oid) FROM pg_proc p "
            "WHERE p.pronamespace = current_schema()::regnamespace "
            "UNION ALL SELECT 'extension', extname, extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )).all()
        return described, sorted(tuple(re.sub(rf"\b{schema}\.", "", str(value)) for value in row) for row in catalog
                                  if "alembic_version" not in row[1])


@pytest.mark.parametrize("command", [("db", "upgrade"), ("init-db",)])
def test_a_site_of_the_previous_release_upgrades_with_its_data_and_search_intact(empty_app, command):
    _load_previous_release(empty_app)
    before = _rows(empty_app)
    assert len(before["articles"]) == 4 and len(before["figures"]) == 3 and len(before["videos"]) == 2
    _cli(empty_app, *command)
    after = _rows(empty_app)
    assert _kept(before, after)
    # The newsroom's columns: the published articles first appeared when they were published, none is deleted.
    for row in after["articles"]:
        assert row["edit_version"] == 0 and row["deleted_at"] is None
        assert (row["first_published_at"] is not None) == (row["status"] == "published")
    with empty_app.app_context():
        assert database_revision() == head_revision()
        terraces = db.session.execute(sa.select(Article).filter_by(slug=TERRACES)).scalar_one()
        assert terraces.title == "Mùa lúa chín trên ruộng bậc thang Mù Cang Chải"
        assert terraces.views == 1523
        assert terraces.published_at == dt.datetime(2023, 9, 16, 1, 30, tzinfo=dt.timezone.utc)
        assert [figure.caption for figure in terraces.figures] == [
            "Ruộng bậc thang mùa lúa chín.", "Du khách chụp ảnh trên đồi Mâm Xôi."]
        assert terraces.category.name == "Tin tức - Sự kiện"
    assert _found(empty_app, "mu cang chai") == [TERRACES]
    assert _found(empty_app, "thao qua") == ["gia-que-va-thao-qua-tang-manh"]
    assert _found(empty_app, "tiep cong dan") == []  # a draft stays out of search
    assert _pending_changes(empty_app) == []
    # The upgraded site goes on working: ids continue after the old rows, new articles are indexed.
    with empty_app.app_context():
        article = Article(title="Khai trương chợ phiên Sán Chải", slug="cho-phien-san-chai", summary="",
                          body_html="<p>Chợ họp sáng Chủ nhật.</p>", author="Thu Hà",
                          published_at=dt.datetime(2024, 1, 7, tzinfo=dt.timezone.utc))
        db.session.add(article)
        db.session.commit()
        assert article.id == 5
    assert _found(empty_app, "san chai") == ["cho-phien-san-chai"]


def test_the_upgrade_makes_what_an_older_site_lacks(empty_app):
    """A site whose search index went missing (or never came) gets it back, filled, from the baseline."""
    _load_previous_release(empty_app)
    with empty_app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(sa.text("DROP TRIGGER article_search_insert"))
            connection.execute(sa.text("DROP TABLE article_search"))
        else:
            connection.execute(sa.text("DROP TABLE article_search"))
        connection.execute(sa.text("DROP TABLE links"))
    _cli(empty_app, "db", "upgrade")
    assert _found(empty_app, "mu cang chai") == [TERRACES]
    assert _rows(empty_app)["links"] == []
    assert _pending_changes(empty_app) == []


def test_the_migrations_make_what_the_models_declare(empty_app):
    _cli(empty_app, "db", "upgrade")
    assert _pending_changes(empty_app) == []


def test_a_change_missing_from_the_migrations_is_seen(empty_app, tmp_path):
    """The check above can fail: a baseline without the articles' author column leaves a difference."""
    broken = tmp_path / "migrations"
    shutil.copytree(Path(PROJECT_ROOT, "migrations"), broken, ignore=shutil.ignore_patterns("__pycache__"))
    baseline = broken / "versions" / "0001_baseline.py"
    source = baseline.read_text(encoding="utf-8")
    author = '        sa.Column("author", sa.String(length=200), nullable=False),\n'
    assert source.count(author) == 1
    baseline.write_text(source.replace(author, ""), encoding="utf-8")
    with empty_app.app_context():
        flask_migrate.upgrade(directory=str(broken))
    changes = _pending_changes(empty_app)
    assert [(change[0], change[2], change[3].name) for change in changes] == [("add_column", "articles", "author")]


def test_init_db_makes_a_new_database_at_the_newest_migration_and_upgrade_then_does_nothing(empty_app):
    _cli(empty_app, "init-db")
    with empty_app.app_context():
        assert database_revision() == head_revision()
    made = _schema(empty_app)
    _cli(empty_app, "db", "upgrade")
    assert _schema(empty_app) == made
    with empty_app.app_context():
        assert database_revision() == head_revision()


def test_upgrade_and_init_db_make_the_same_database(empty_apps):
    upgraded, initialized = empty_apps(), empty_apps()
    _cli(upgraded, "db", "upgrade")
    _cli(initialized, "init-db")
    schema = _schema(upgraded)
    assert schema == _schema(initialized)
    names = str(schema)
    assert all(name in names for name in TABLES + ("article_search", "ix_articles_slug"))


def test_downgrade_to_nothing_and_up_again(empty_app):
    _cli(empty_app, "db", "upgrade")
    _cli(empty_app, "db", "downgrade", "base")
    with empty_app.app_context(), db.engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == ["alembic_version"]
    _cli(empty_app, "db", "upgrade")
    assert _pending_changes(empty_app) == []


def test_the_migrations_live_beside_the_code(app):
    assert app.extensions["migrate"].directory == str(Path(PROJECT_ROOT, "migrations"))
