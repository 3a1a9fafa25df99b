"""Fixtures: an app per test with its own temporary database and instance folder."""
import datetime as dt
import itertools
import os

import pytest

from app import create_app
from extensions import db
from models import Article, Category
from services.schema import create_schema


def _database_uri(tmp_path):
    # Data-layer tests run again on PostgreSQL when TEST_DATABASE_URL is set (see tests/test_postgresql.py).
    return "sqlite:///" + str(tmp_path / "test.db")


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A fresh app with an empty schema in a temporary instance folder."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_uri(tmp_path),
                      "SECRET_KEY": "test", "TTS_ENGINE": "espeak"})
    with app.app_context():
        create_schema()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_article(app):
    """Create and commit a published article; keyword arguments override the defaults."""
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
