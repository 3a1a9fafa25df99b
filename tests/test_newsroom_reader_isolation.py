"""A reader never sees a draft, a preview, an edit button or any staff-only markup: not from the app, not through
its page cache, nginx's micro-cache or the service worker. A member of staff logs in, opens pages; an anonymous
reader then asks for the same URLs and gets exactly the reader's page."""
import re
from pathlib import Path

import crossplane
import pytest

from newsroom_support import app, create_article, logged_in, post  # noqa: F401
from services.newsroom.accounts import ADMINISTRATOR
from settings import PROJECT_ROOT

ROOT = Path(PROJECT_ROOT)
STAFF_MARKS = ("bien-tap", "csrf", "X-CSRFToken", "Đăng xuất", "BẢN XEM TRƯỚC", "Sửa bài", "Tòa soạn", "docbai_bien_tap")
SLUG = "thong-bao-lich-tiep-cong-dan-thang-12"


@pytest.fixture
def staff(app):
    client = logged_in(app, "quantri", ADMINISTRATOR)
    article_id = create_article(client)
    post(client, f"/bien-tap/bai-viet/{article_id}/dang")
    create_article(client, title="Bản nháp chưa đăng", body_html="<p>Nội dung nháp bí mật.</p>")
    return client


def _reader_pages():
    return ["/", f"/bai-viet/{SLUG}", "/chuyen-muc/tin-tuc", "/tim-kiem?q=tiep", "/rss.xml", "/sitemap.xml",
            f"/bai-viet/{SLUG}/nghe.json", "/ngoai-tuyen"]


def test_pages_a_logged_in_editor_opened_first_reach_readers_without_any_staff_markup(app, staff):
    assert app.config["PAGE_CACHE_SECONDS"] > 0  # the page cache is on: the editor's visit fills it
    # Even a staff cookie sent to every path (a proxy rewriting Path=, an old browser) changes nothing.
    session_cookie = staff.get_cookie("docbai_bien_tap", path="/bien-tap")
    staff.set_cookie("docbai_bien_tap", session_cookie.value, path="/")
    seen_by_staff = {path: staff.get(path) for path in _reader_pages()}
    reader = app.test_client()
    for path, staff_response in seen_by_staff.items():
        response = reader.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path
        for mark in STAFF_MARKS:
            assert mark not in body, (path, mark)
        assert "Nội dung nháp bí mật" not in body and "Bản nháp chưa đăng" not in body
        assert "Set-Cookie" not in response.headers, path
        assert "Set-Cookie" not in staff_response.headers, path
        # What the editor got is what every reader gets: the page does not depend on who asks.
        assert re.sub(r"\d+ lượt xem", "", staff_response.get_data(as_text=True)) == re.sub(r"\d+ lượt xem", "", body), path


def test_the_newsroom_cookie_is_never_sent_to_reader_pages(app, staff):
    cookie = staff.get_cookie("docbai_bien_tap", path="/bien-tap")
    assert cookie is not None and cookie.path == "/bien-tap"
    assert staff.get_cookie("docbai_bien_tap", path="/") is None


def test_a_preview_is_never_what_a_reader_gets_for_the_published_url(app, staff):
    preview = staff.get("/bien-tap/bai-viet/1/xem-truoc")
    assert "BẢN XEM TRƯỚC" in preview.get_data(as_text=True)
    page = app.test_client().get(f"/bai-viet/{SLUG}").get_data(as_text=True)
    assert "BẢN XEM TRƯỚC" not in page and "xem.gif" in page


def test_reader_templates_never_read_the_session_or_the_account():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "newsroom" in path.relative_to(ROOT / "templates").parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in ("current_user", "session", "csrf_token", "get_flashed_messages"):
            if re.search(rf"\b{name}\b", text):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_no_newsroom_view_uses_the_page_cache():
    for path in (ROOT / "blueprints" / "newsroom").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "cached_page" not in text and "cached_value" not in text, path


def _nginx_locations():
    parsed = crossplane.parse(str(ROOT / "deploy" / "nginx.conf"), single=True, check_ctx=False, check_args=False)
    directives = parsed["config"][0]["parsed"]
    servers = [d for d in directives if d["directive"] == "server"]
    https = next(s for s in servers if any(d["directive"] == "ssl_certificate" for d in s["block"]))
    return {tuple(d["args"]): d["block"] for d in https["block"] if d["directive"] == "location"}


def test_nginx_never_micro_caches_the_newsroom_nor_an_answer_that_sets_a_cookie():
    locations = _nginx_locations()
    newsroom = {d["directive"]: d["args"] for d in locations[("/bien-tap/",)]}
    assert newsroom["proxy_cache"] == ["off"] and newsroom["proxy_no_cache"] == ["1"]
    assert newsroom["client_max_body_size"] == ["13m"]
    site = {d["directive"]: d["args"] for d in locations[("/",)]}
    assert "$upstream_http_set_cookie" in site["proxy_no_cache"]
    assert "Set-Cookie" not in site["proxy_ignore_headers"]


def test_the_service_worker_leaves_the_newsroom_alone_and_forgets_unpublished_articles(app):
    worker = app.test_client().get("/sw.js").get_data(as_text=True)
    assert '"newsroom": "/bien-tap/"' in worker.splitlines()[0]
    assert "if (url.pathname.indexOf(DOCBAI.newsroom) === 0) return;" in worker
    assert "response.status === GONE) return forgetArticle(path);" in worker
