"""The data layer on every engine: view counting under concurrency, NFC and UTC storage, demo content."""
import datetime as dt
import unicodedata

import pytest
from sqlalchemy import select

from extensions import db
from models import Article, Category
from web.site_services import flush_views


def _views(app, article_id):
    """The stored count, once the views still buffered are written."""
    flush_views(app)
    with app.app_context():
        return db.session.execute(select(Article.views).where(Article.id == article_id)).scalar_one()


def test_two_hundred_views_from_eight_threads_add_exactly_two_hundred(db_app, make_article, at_once):
    article = make_article(views=5)

    def read_25_times():
        client = db_app.test_client()
        return [client.get(f"/bai-viet/{article.slug}/xem.gif").status_code for _ in range(25)]

    assert at_once(8, read_25_times) == [[200] * 25] * 8
    assert _views(db_app, article.id) == 205


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("HEAD", {}),
        ("GET", {"HX-Request": "true"}),
        ("GET", {"Sec-Purpose": "prefetch"}),
        ("GET", {"Sec-Purpose": "prefetch;prerender"}),
        ("GET", {"Purpose": "prefetch"}),
        ("GET", {"X-Moz": "prefetch"}),
        ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}),
    ],
)
def test_heads_fragments_prefetches_and_crawlers_do_not_count(db_app, make_article, method, headers):
    article = make_article(views=10)
    client = db_app.test_client()
    assert client.open(f"/bai-viet/{article.slug}", method=method, headers=headers).status_code == 200
    assert client.open(f"/bai-viet/{article.slug}/xem.gif", method=method, headers=headers).status_code == 200
    assert _views(db_app, article.id) == 10


def test_a_view_counts_once_by_its_beacon_and_shows_at_once(db_app, make_article):
    article = make_article(views=2260)
    client = db_app.test_client()
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert f'src="/bai-viet/{article.slug}/xem.gif"' in html
    assert "2.260 lượt xem" in html  # the page itself counts nothing
    beacon = client.get(f"/bai-viet/{article.slug}/xem.gif")
    assert beacon.mimetype == "image/gif" and beacon.data.startswith(b"GIF89a")
    assert beacon.headers["Cache-Control"] == "no-store"
    assert "2.261 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)  # still pending
    assert _views(db_app, article.id) == 2261
    assert "2.261 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)  # now stored


def test_text_is_stored_nfc_and_times_utc(db_app):
    decomposed = unicodedata.normalize("NFD", "Mù Cang Chải đón Tết")
    with db_app.app_context():
        category = Category(name=unicodedata.normalize("NFD", "Văn hóa"), slug="van-hoa")
        article = Article(title=decomposed, slug="mu-cang-chai", body_html=f"<p>{decomposed}</p>", author="Thu Hà",
                          published_at=dt.datetime(2023, 11, 16, 14, 14, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                          category=category)
        db.session.add(article)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.execute(select(Article)).scalar_one()
        assert stored.title == unicodedata.normalize("NFC", decomposed) != decomposed
        assert unicodedata.is_normalized("NFC", stored.body_html)
        assert unicodedata.is_normalized("NFC", stored.category.name)
        assert stored.published_at == dt.datetime(2023, 11, 16, 7, 14, tzinfo=dt.timezone.utc)
        assert stored.published_at.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(db_app):
    with db_app.app_context():
        db.session.add(Article(title="x", slug="x", published_at=dt.datetime(2023, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_content_hash_changes_on_edit(db_app, make_article):
    article = make_article()
    before = article.content_hash
    with db_app.app_context():
        stored = db.session.get(Article, article.id)
        assert stored.content_hash == before
        stored.body_html += "<p>Thêm một đoạn.</p>"
        db.session.commit()
        assert stored.content_hash != before


def test_seed_demo_is_deterministic_and_exercises_later_work(db_app):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--articles", "40"])
    assert result.exit_code == 0, result.output
    with db_app.app_context():
        articles = db.session.execute(select(Article).order_by(Article.published_at.desc())).scalars().all()
        assert len(articles) == 40
        assert len({a.category_id for a in articles}) >= 4
        text = " ".join(a.body_html for a in articles)
        for needle in ("UBND", "HĐND", "%", "đồng", "/kg", "km", "°C", "2021-2026", "quý", "0216"):
            assert needle in text
        assert any(a.figures for a in articles) and any("<figcaption>" in a.body_html for a in articles)
        lengths = sorted(len(a.body_html) for a in articles)
        assert lengths[-1] > 4 * lengths[0]  # long and short articles
        first_titles = [a.title for a in articles]
    assert runner.invoke(args=["seed-demo", "--articles", "40", "--if-empty"]).exit_code == 0
    with db_app.app_context():
        assert db.session.execute(select(db.func.count(Article.id))).scalar_one() == 40
        assert [a.title for a in db.session.execute(
            select(Article).order_by(Article.published_at.desc())).scalars()] == first_titles
    home = db_app.test_client().get("/").get_data(as_text=True)
    assert first_titles[0] in home and "Bài 1-10 / 40" in home
