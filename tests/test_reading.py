"""Reading pages: formats, fragments versus pages, the pager, bad input, error pages, headers."""
import datetime as dt
import re

import pytest

from extensions import db
from models import Category, Link, PhotoItem, Video
from services.content.formatting import vietnamese_datetime, vietnamese_number
from services.content.pagination import parse_page

HX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (dt.datetime(2023, 11, 16, 7, 14, tzinfo=dt.timezone.utc), "16/11/2023 2:14:00 CH"),
        (dt.datetime(2023, 11, 16, 1, 5, 9, tzinfo=dt.timezone.utc), "16/11/2023 8:05:09 SA"),
        # 17:30 UTC is already the next day in Vietnam.
        (dt.datetime(2023, 12, 31, 17, 30, tzinfo=dt.timezone.utc), "01/01/2024 12:30:00 SA"),
        (dt.datetime(2024, 2, 29, 5, 0, tzinfo=dt.timezone.utc), "29/02/2024 12:00:00 CH"),
        (dt.datetime(2023, 11, 16, 14, 14, tzinfo=dt.timezone(dt.timedelta(hours=7))), "16/11/2023 2:14:00 CH"),
    ],
)
def test_vietnamese_datetime(moment, shown):
    assert vietnamese_datetime(moment) == shown


@pytest.mark.parametrize(("value", "shown"), [(2261, "2.261"), (3435, "3.435"), (7, "7"), (1250000, "1.250.000")])
def test_vietnamese_number(value, shown):
    assert vietnamese_number(value) == shown


def _many_articles(make_article, count):
    return [make_article() for _ in range(count)]


@pytest.fixture
def libraries(app):
    with app.app_context():
        for index in range(15):
            db.session.add(PhotoItem(title=f"Ảnh {index}", image_path="x.jpg", caption="Chú thích", width=30,
                                     height=20, taken_at=dt.datetime(2023, 1, 1 + index, tzinfo=dt.timezone.utc)))
        for index in range(14):
            db.session.add(Video(title=f"Video {index}", external_url="https://video.example.org/1",
                                 published_at=dt.datetime(2023, 1, 1 + index, tzinfo=dt.timezone.utc)))
        db.session.add(Link(title="Cổng dịch vụ công", url="https://dichvucong.gov.vn"))
        db.session.commit()


def test_article_page_shows_everything_a_portal_shows(client, make_article):
    article = make_article(views=2260, title="Huyện tổng kết năm 2023",
                           body_html='<p>Nội dung.</p><figure><img src="/media/a.jpg" alt="Hội nghị" width="800" '
                                     'height="533"><figcaption>Quang cảnh hội nghị.</figcaption></figure>')
    others = _many_articles(make_article, 12)
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "<h1" in html and "Huyện tổng kết năm 2023" in html
    assert "16/11/2023 2:13:00 CH" in html  # the fixture publishes article n at 14:14 minus n minutes
    assert "2.260 lượt xem" in html  # the view is counted by the page's beacon image, not the page
    assert "Quang cảnh hội nghị." in html and 'loading="lazy"' in html
    assert "Minh Anh" in html
    assert "Các tin khác" in html and "1-5 / 12" in html
    assert others[0].title in html
    for sidebar in ("Thư viện ảnh", "Thư viện Video", "Liên kết"):
        assert sidebar in html


@pytest.mark.parametrize("path", ["/", "/chuyen-muc/tin-tuc", "/thu-vien-anh", "/thu-vien-video", "/bai-viet/{slug}"])
def test_every_paginated_list_gives_a_fragment_to_htmx_and_a_page_otherwise(client, make_article, libraries, path):
    article = _many_articles(make_article, 25)[0]
    url = path.format(slug=article.slug) + "?trang=2"
    page = client.get(url)
    fragment = client.get(url, headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<body" not in body
    assert 'data-hx-swap-oob="innerHTML">Trang 2 / ' in body
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_history_restore_request_gets_the_whole_page(client, make_article):
    _many_articles(make_article, 12)
    response = client.get("/?trang=2", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_pager_links_are_real_hrefs_with_ellipses(client, make_article):
    _many_articles(make_article, 120)  # 12 pages of 10
    html = client.get("/?trang=6").get_data(as_text=True)
    pager = html[html.index('<nav class="pager"'):]
    pager = pager[: pager.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" data-hx-get="([^"]+)"', pager)
    assert links and all(href == get for href, get in links)
    hrefs = [href.replace("&amp;", "&") for href, _ in links]
    assert "/" in hrefs and "/?trang=12" in hrefs and "/?trang=5" in hrefs and "/?trang=7" in hrefs
    assert pager.count("…") == 2
    assert 'aria-current="page"' in pager
    assert 'data-hx-push-url="true"' in pager
    for href in set(hrefs):
        assert client.get(href).status_code == 200


@pytest.mark.parametrize(
    ("raw", "page"),
    [(None, 1), ("", 1), ("0", 1), ("-1", 1), ("abc", 1), ("2", 2), (" 3 ", 3), ("1e3", 1), ("٣", 1),
     ("9" * 400, 10**9), ("0002", 2)],
)
def test_parse_page(raw, page):
    assert parse_page(raw) == page


# The last page of each list with the libraries fixture and 15 articles (14 beside the one being read).
LAST_PAGES = {"/": 2, "/chuyen-muc/tin-tuc": 2, "/thu-vien-anh": 2, "/thu-vien-video": 2, "/bai-viet/{slug}": 3}


@pytest.mark.parametrize("raw, shown", [("0", 1), ("-1", 1), ("abc", 1), ("999", "last"), ("9" * 400, "last"),
                                        ("%00", 1), ("1.5", 1), ("２", 1), ("' OR 1=1 --", 1)])
@pytest.mark.parametrize("path", LAST_PAGES)
def test_bad_page_numbers_show_the_first_or_the_last_page(client, make_article, libraries, path, raw, shown):
    article = _many_articles(make_article, 15)[0]
    last = LAST_PAGES[path]
    page = last if shown == "last" else shown
    url = path.format(slug=article.slug)
    html = client.get(url, query_string={"trang": raw}).get_data(as_text=True)
    assert f'aria-label="Trang {page}, trang hiện tại"' in html
    fragment = client.get(url, query_string={"trang": raw}, headers=HX).get_data(as_text=True)
    assert f'data-hx-swap-oob="innerHTML">Trang {page} / {last}</div>' in fragment


def test_page_past_the_end_shows_the_last_page(client, make_article):
    _many_articles(make_article, 25)
    html = client.get("/?trang=999").get_data(as_text=True)
    assert "Bài 21-25 / 25" in html


@pytest.mark.parametrize("path", ["/bai-viet/khong-co", "/chuyen-muc/khong-co", "/khong-co-trang-nay",
                                  "/bai-viet/../../etc/passwd", "/media/../../app.py"])
def test_unknown_pages_get_a_vietnamese_404_with_a_way_back(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html and "Về trang chủ" in html and 'lang="vi"' in html


def test_draft_and_future_articles_are_not_shown(client, make_article):
    draft = make_article(status="draft")
    future = make_article(published_at=dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc))
    assert client.get(f"/bai-viet/{draft.slug}").status_code == 404
    assert client.get(f"/bai-viet/{future.slug}").status_code == 404
    assert draft.title not in client.get("/").get_data(as_text=True)


def test_unexpected_error_gives_a_calm_page_not_a_traceback(app, client, monkeypatch):
    import blueprints.reading

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(blueprints.reading, "published_articles", broken)
    response = client.get("/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Đã có lỗi xảy ra" in html and "Traceback" not in html and "boom" not in html


def test_method_not_allowed_is_vietnamese(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "Không thực hiện được" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_no_inline_script_or_handlers(client, make_article):
    article = make_article()
    for path in ("/", f"/bai-viet/{article.slug}", "/thu-vien-anh", "/khong-co"):
        html = client.get(path).get_data(as_text=True)
        # The import map is the one inline <script>: JSON the CSP allows by its hash (tests/test_listening.py).
        assert not re.search(r"<script(?![^>]*\bsrc=)(?! type=\"importmap\">)[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_category_page_lists_only_its_articles(app, client, make_article):
    inside = make_article(title="Trong chuyên mục")
    with app.app_context():
        other = Category(name="Kinh tế", slug="kinh-te")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    outside = make_article(title="Ngoài chuyên mục", category_id=other_id, category=None)
    html = client.get("/chuyen-muc/tin-tuc").get_data(as_text=True)
    assert inside.title in html and outside.title not in html


def test_secret_key_is_generated_into_the_instance_folder(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert first.instance_path == str(tmp_path / "elsewhere")
    assert len(first.config["SECRET_KEY"]) == 64 and first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "elsewhere" / "secret_key").exists()


def test_database_url_from_the_environment(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    monkeypatch.delenv("DATABASE_URL")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "docbai.db")


def test_workers_starting_together_share_one_secret_key(tmp_path):
    import concurrent.futures

    from app import _instance_secret_key

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: _instance_secret_key(str(tmp_path)), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 64


def test_times_follow_the_configured_timezone(tmp_path, monkeypatch, make_article):
    from app import create_app

    article = make_article()
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    utc_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"), "TIMEZONE": "UTC"})
    html = utc_app.test_client().get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "16/11/2023 7:13:00 SA" in html
