"""What every reading page shares (menu, sidebars, the newest articles, how many there are) is made once per
content version in a process, with the page cache off too, and never shows an old or early state."""
import datetime as dt

import pytest
from sqlalchemy import event

from extensions import db
from models import Link, PhotoItem

OTHERS_PER_PAGE_DEFAULT = 5


@pytest.fixture
def uncached(app):
    """The app with its page cache off: every request renders (a crawler over the long tail)."""
    app.extensions["docbai_page_cache"].seconds = 0
    return app


def _statements(app, client, path):
    seen = []
    with app.app_context():
        engine = db.engine

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return seen, response.get_data(as_text=True)


def _others_box(html):
    return html[html.index('id="tin-khac"'):html.index("</ul>", html.index('id="tin-khac"'))]


def test_an_uncached_article_page_runs_only_its_own_queries(uncached, make_article):
    articles = [make_article() for _ in range(12)]
    client = uncached.test_client()
    client.get(f"/bai-viet/{articles[0].slug}")  # the shared parts, made once
    statements, html = _statements(uncached, client, f"/bai-viet/{articles[7].slug}")
    # The article with its category and its view count, then its figures: the menu, sidebars, "Các tin khác" page
    # 1 and its total are shared.
    assert len(statements) == 2, statements
    assert not any("FROM links" in statement or "count(" in statement for statement in statements)
    others = _others_box(html)
    assert f"1-{OTHERS_PER_PAGE_DEFAULT} / 11" in html
    assert articles[0].title in others and articles[7].title not in others
    # The newest article's own page leaves itself out of the box, and the box still holds five.
    html = client.get(f"/bai-viet/{articles[0].slug}").get_data(as_text=True)
    others = _others_box(html)
    assert articles[0].title not in others and articles[5].title in others


def test_a_change_replaces_the_shared_parts_at_once(uncached, make_article):
    articles = [make_article() for _ in range(3)]
    client = uncached.test_client()
    assert "Cổng dịch vụ công" not in client.get(f"/bai-viet/{articles[1].slug}").get_data(as_text=True)
    with uncached.app_context():
        db.session.add(Link(title="Cổng dịch vụ công", url="https://dichvucong.gov.vn", position=1))
        db.session.commit()
    newest = make_article(title="Tin mới nhất hôm nay",
                          published_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))
    html = client.get(f"/bai-viet/{articles[1].slug}").get_data(as_text=True)
    assert "Cổng dịch vụ công" in html
    assert newest.title in _others_box(html) and "/ 3" in html


def test_a_scheduled_article_joins_the_shared_parts_when_its_time_comes(uncached, make_article, monkeypatch):
    articles = [make_article() for _ in range(3)]
    now = dt.datetime.now(dt.timezone.utc)
    scheduled = make_article(title="Bài hẹn giờ đăng", published_at=now + dt.timedelta(hours=2))
    client = uncached.test_client()
    html = client.get(f"/bai-viet/{articles[0].slug}").get_data(as_text=True)
    assert scheduled.title not in html and "1-2 / 2" in html
    # Its time comes with no edit since: the count and the newest list follow the readers' gate's clock.
    monkeypatch.setattr("services.content.articles.utc_now", lambda: now + dt.timedelta(hours=3))
    html = client.get(f"/bai-viet/{articles[0].slug}").get_data(as_text=True)
    assert scheduled.title in _others_box(html) and "1-3 / 3" in html


def test_the_sidebars_follow_the_data_saver(uncached, make_article):
    article = make_article()
    with uncached.app_context():
        db.session.add(PhotoItem(title="Ruộng bậc thang", image_path="ruong.jpg", caption="", width=30, height=20,
                                 taken_at=dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)))
        db.session.commit()
    client = uncached.test_client()
    plain = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    saving = client.get(f"/bai-viet/{article.slug}", headers={"Save-Data": "on"}).get_data(as_text=True)
    sidebar = lambda html: html[html.index('class="sidebars"'):html.index("</aside>", html.index('class="sidebars"'))]
    assert "<img" in sidebar(plain)
    assert "<img" not in sidebar(saving)
    assert "<img" in sidebar(client.get(f"/bai-viet/{article.slug}").get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/?trang=2", "/chuyen-muc/tin-tuc", "/chuyen-muc/tin-tuc?trang=2"])
def test_an_uncached_list_counts_its_articles_once_per_content_version(uncached, make_article, path):
    for _ in range(25):
        make_article()
    client = uncached.test_client()
    client.get(path)
    statements, html = _statements(uncached, client, path)
    assert not any("count(" in statement for statement in statements), statements
    assert len(statements) <= 2, statements  # the page's articles and their figures
    assert "/ 25" in html


def test_a_scheduled_article_joins_the_lists_when_its_time_comes(uncached, make_article, monkeypatch):
    for _ in range(3):
        make_article()
    now = dt.datetime.now(dt.timezone.utc)
    scheduled = make_article(title="Bài hẹn giờ đăng", published_at=now + dt.timedelta(hours=2))
    client = uncached.test_client()
    for path in ("/", "/chuyen-muc/tin-tuc"):
        html = client.get(path).get_data(as_text=True)
        assert scheduled.title not in html and "/ 3" in html
    monkeypatch.setattr("services.content.articles.utc_now", lambda: now + dt.timedelta(hours=3))
    for path in ("/", "/chuyen-muc/tin-tuc"):
        html = client.get(path).get_data(as_text=True)
        assert scheduled.title in html and "/ 4" in html
