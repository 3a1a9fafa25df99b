"""Offline reading on the server's side: the service worker's script and headers, the offline page, and the
article URL that keeps a page of "Các tin khác" while crawlers see one canonical address."""
import json
import re
from pathlib import Path

import pytest

from app import CONTENT_SECURITY_POLICY


def _worker_settings(body: str) -> dict:
    first_line, _, rest = body.partition("\n")
    assert first_line.startswith("var DOCBAI = ") and first_line.endswith(";")
    assert 'self.addEventListener("fetch"' in rest
    return json.loads(first_line[len("var DOCBAI = "):-1])


def test_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    settings = _worker_settings(response.get_data(as_text=True))
    assert settings["offlinePage"] == "/ngoai-tuyen" and settings["keptArticles"] == 30
    assert "/static/js/site.js" in " ".join(settings["precache"])
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in settings["precache"]), settings["precache"]


def test_a_changed_file_changes_the_worker_and_its_cache_name(app, client, monkeypatch):
    before = _worker_settings(client.get("/sw.js").get_data(as_text=True))
    static_files = app.extensions["static_files"]
    fingerprint = static_files.fingerprint
    monkeypatch.setattr(static_files, "fingerprint",
                        lambda name: "0123456789ab" if name == "css/player.css" else fingerprint(name))
    after = _worker_settings(client.get("/sw.js").get_data(as_text=True))
    assert after["version"] != before["version"]
    assert "/static/css/player.css?v=0123456789ab" in after["precache"]


def test_the_policy_lets_the_site_run_its_own_worker(client):
    assert "worker-src 'self'" in CONTENT_SECURITY_POLICY
    assert "worker-src 'self'" in client.get("/sw.js").headers["Content-Security-Policy"]


def test_offline_page_is_a_whole_page_that_needs_javascript_to_list(client):
    html = client.get("/ngoai-tuyen").get_data(as_text=True)
    assert "<html" in html and "<h1>Bài đã lưu</h1>" in html
    assert 'data-saved-list="/ngoai-tuyen/da-luu.json"' in html
    assert "Cần bật JavaScript" in html
    assert "Danh sách tin và tìm kiếm cần có mạng" in html


def test_every_page_registers_the_worker(client):
    html = client.get("/ngoai-tuyen").get_data(as_text=True)
    # A module (deferred by nature; `defer` is not allowed on one), told the worker's URL by url_for.
    tag = re.search(r'<script type="module" src="/static/js/offline\.js\?v=[0-9a-f]+"[^>]*>', html).group(0)
    assert 'data-worker="/sw.js"' in tag


def _many_articles(make_article, count):
    return [make_article(title=f"Bài số {number}", slug=f"bai-so-{number}") for number in range(count)]


def test_article_keeps_a_page_of_other_articles_in_its_url_and_one_canonical_address(client, make_article):
    articles = _many_articles(make_article, 20)
    slug = articles[0].slug
    html = client.get(f"/bai-viet/{slug}?trang=3").get_data(as_text=True)
    assert re.search(rf'<link rel="canonical" href="https?://[^"]+/bai-viet/{slug}">', html)
    pager = html[html.index('aria-label="Phân trang các tin khác"') - 200:]
    pager = pager[: pager.index("</nav>")]
    assert 'data-hx-replace-url="true"' in pager and "data-hx-push-url" not in pager
    assert re.search(r'aria-label="Trang 3, trang hiện tại"', pager)


@pytest.mark.parametrize(("path", "title"), [("/?trang=2", "Trang 2 — "), ("/thu-vien-anh?trang=2", "Thư viện ảnh — Trang 2 — ")])
def test_a_list_page_and_its_fragment_say_which_page(client, make_article, path, title):
    _many_articles(make_article, 25)
    page = client.get(path).get_data(as_text=True)
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"<title>{title}" in page
    assert "<html" not in fragment and fragment.lstrip().startswith(f"<title>{title}")


def test_first_page_title_says_no_page(client, make_article):
    _many_articles(make_article, 3)
    assert "Trang 1" not in re.search(r"<title>(.*?)</title>", client.get("/").get_data(as_text=True)).group(1)


def test_every_module_the_page_may_import_is_precached(client):
    settings = _worker_settings(client.get("/sw.js").get_data(as_text=True))
    precached = {url.partition("?")[0] for url in settings["precache"]}
    scripts = Path(__file__).resolve().parent.parent / "static" / "js"
    modules = {"/static/js/" + path.relative_to(scripts).as_posix() for path in scripts.glob("*/*.js")}
    assert modules and modules <= precached
