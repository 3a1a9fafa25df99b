"""Fixtures: an app per test with its own temporary database and instance folder."""
import concurrent.futures
import datetime as dt
import itertools
import os
import threading
import uuid

import pytest
import sqlalchemy as sa

from app import create_app, database_url_with_driver
from extensions import db
from models import Article, Category
from services.infra.schema import create_schema


POSTGRESQL_URL = os.environ.get("TEST_DATABASE_URL")
NO_POSTGRESQL = "TEST_DATABASE_URL is not set: the PostgreSQL run of the data-layer tests needs it (CI sets it)"


def _build_app(tmp_path, monkeypatch, backend, create_tables=True, extra=None):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = {"TESTING": True, "SECRET_KEY": "test", "TTS_ENGINE": "espeak", **(extra or {})}
    schema = None
    if backend == "postgresql":
        if not POSTGRESQL_URL:
            pytest.skip(NO_POSTGRESQL)
        # A schema of its own per test: a clean database without dropping anyone else's tables.
        schema = "test_" + uuid.uuid4().hex[:12]
        url = database_url_with_driver(POSTGRESQL_URL)
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema},public"}}
    else:
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(tmp_path / "test.db")
    app = create_app(config)
    app.config["TEST_BACKEND"] = backend
    if create_tables:
        # From the models, which is quicker than the migrations; tests/test_migrations.py proves they agree.
        with app.app_context():
            create_schema()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if schema:
        engine = sa.create_engine(database_url_with_driver(POSTGRESQL_URL))
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A fresh app with an empty SQLite schema in a temporary instance folder."""
    yield from _build_app(tmp_path, monkeypatch, "sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_app(request, tmp_path, monkeypatch):
    """The same fresh app on each database engine: data-layer tests use this one."""
    yield from _build_app(tmp_path, monkeypatch, request.param)


@pytest.fixture(scope="session")
def build_app():
    """The app builder, for a module-scoped fixture that needs an app of its own, or a test that needs an
    empty database (create_tables=False): a generator, the app, then its teardown. A fixture, because
    `from conftest import` gets whichever conftest.py pytest loaded last, and tests/browser has one too."""
    return _build_app


@pytest.fixture
def at_once():
    """Run a job in several threads released together: their results in order, once every one has finished.

    A thread's exception is raised here: a plain Thread would only print it, and the test would pass.
    """

    def run(count, job, timeout=60):
        start = threading.Barrier(count)

        def released():
            start.wait(timeout)
            return job()

        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            futures = [pool.submit(released) for _ in range(count)]
            return [future.result(timeout) for future in futures]

    return run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_article(request):
    """Create and commit a published article; keyword arguments override the defaults."""
    # Works with whichever app the test uses: db_app when it asks for it, app otherwise.
    app = request.getfixturevalue("db_app" if "db_app" in request.fixturenames else "app")
    counter = itertools.count(1)

    def make(**overrides):
        number = next(counter)
        with app.app_context():
            category = db.session.execute(db.select(Category).filter_by(slug="tin-tuc")).scalar_one_or_none()
            if category is None:
                category = Category(name="Tin tức", slug="tin-tuc")
                db.session.add(category)
            fields = {
                "title": f"Bài viết số {number}",
                "slug": f"bai-viet-so-{number}",
                "summary": "Tóm tắt bài viết.",
                "body_html": "<p>Ngày 16/11/2023, UBND huyện họp bàn kế hoạch năm 2024.</p>",
                "author": "Minh Anh",
                "published_at": dt.datetime(2023, 11, 16, 7, 14, tzinfo=dt.timezone.utc)
                - dt.timedelta(minutes=number),
                "status": "published",
                "category": category,
            }
            fields.update(overrides)
            article = Article(**fields)
            db.session.add(article)
            db.session.commit()
            db.session.refresh(article)
            db.session.expunge(article)
            return article

    return make


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    """SeaweedFS's S3 server for the test session (tests/seaweed.py); skipped, saying why, without its binary."""
    from seaweed import NO_WEED, WEED, SeaweedServer

    if WEED is None:
        pytest.skip(NO_WEED)
    server = SeaweedServer(tmp_path_factory.mktemp("seaweed"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage_settings(request):
    """The storage settings of each backend: {} for the local folder, a prefix of the test's own in the
    session's SeaweedFS bucket for s3. File-cache and media tests take this to run on both."""
    if request.param == "local":
        return {}
    server = request.getfixturevalue("seaweed")
    return server.settings(f"test-{uuid.uuid4().hex[:12]}/")


@pytest.fixture
def storage_app(tmp_path, monkeypatch, storage_settings):
    """A fresh app (SQLite) on each storage backend: the local folder, then SeaweedFS's bucket."""
    yield from _build_app(tmp_path, monkeypatch, "sqlite", extra=storage_settings)


@pytest.fixture
def store(storage_settings):
    """The object store of each backend: None for the local folder, a folder of SeaweedFS's bucket for s3."""
    return _object_store(storage_settings) if storage_settings else None


@pytest.fixture
def bucket_settings(seaweed):
    """The s3 backend's settings alone, for what only a bucket has (its budget, its absence, multipart)."""
    return seaweed.settings(f"test-{uuid.uuid4().hex[:12]}/")


@pytest.fixture
def bucket_store(bucket_settings):
    """A folder of SeaweedFS's bucket of the test's own."""
    return _object_store(bucket_settings)


@pytest.fixture
def bucket_app(tmp_path, monkeypatch, bucket_settings):
    """A fresh app (SQLite) whose storage is SeaweedFS's bucket."""
    yield from _build_app(tmp_path, monkeypatch, "sqlite", extra=bucket_settings)


def _object_store(settings):
    from services.infra.breaker import CircuitBreaker
    from services.infra.storage import ObjectStore

    return ObjectStore(
        settings["S3_ENDPOINT_URL"], settings["S3_BUCKET"], settings["S3_PREFIX"],
        settings["AWS_ACCESS_KEY_ID"], settings["AWS_SECRET_ACCESS_KEY"], breaker=CircuitBreaker(1.0),
    )
