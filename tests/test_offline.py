"""Offline reading on the server's side: the service worker's script and headers, the offline page, and the
article URL that keeps a page of "Các tin khác" while crawlers see one canonical address."""
import json
import re
from html import unescape as html_unescape
from pathlib import Path

import pytest
from flask import url_for
from werkzeug.routing import Map, Rule

from app import CONTENT_SECURITY_POLICY
from blueprints.offline import WORKER_ROUTES
from web.route_patterns import path_pattern


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
    # A module (deferred by nature; `defer` is not allowed on one), told the worker's URL and scope by url_for.
    tag = re.search(r'<script type="module" src="/static/js/offline\.js\?v=[0-9a-f]+"[^>]*>', html).group(0)
    assert 'data-worker="/sw.js"' in tag and 'data-worker-scope="/"' in tag


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


# --- the routes the scripts recognise come from the url_map ----------------------------------------------


def _routes(client, **kwargs) -> dict:
    return _worker_settings(client.get("/sw.js", **kwargs).get_data(as_text=True))["routes"]


def test_the_worker_is_told_the_routes_it_tells_apart(app, client):
    routes = _routes(client)
    assert set(routes) == set(WORKER_ROUTES)
    with app.test_request_context():
        # Each pattern is the url_map's own, for the endpoints behind its name, and nothing is left out.
        assert routes == {name: path_pattern(*endpoints) for name, endpoints in WORKER_ROUTES.items()}
        article = url_for("reading.article", slug="hoi-nghi")
        paths = {
            "article": article,
            "audio": url_for("listening.article_audio", slug="hoi-nghi"),
            "manifest": url_for("listening.manifest", slug="hoi-nghi"),
            "media": url_for("reading.media", filename="figures/0123456789abcdef01234567.jpg"),
            "static": url_for("static", filename="js/player/locator.js").partition("?")[0],
        }
        resized = url_for("images.variant", width=320, name="figures/0123456789abcdef01234567.jpg")
    for name, pattern in routes.items():
        # The same syntax in Python's re as in JavaScript's RegExp for what werkzeug's converters write.
        assert [other for other, path in paths.items() if re.search(pattern, path)] == [name], (name, pattern)
    assert re.search(routes["media"], resized)
    for path in (article + "/", article + "/in", article + "/nghe/0.mp3", "/", "/sw.js", "/ngoai-tuyen"):
        assert not any(re.search(pattern, path) for pattern in routes.values()), path


def test_the_worker_follows_a_moved_route(app, client, monkeypatch):
    # The same site with its articles under /tin/: the worker's patterns change with the url_map, not by hand.
    moved = Map([Rule(rule.rule.replace("/bai-viet/", "/tin/"), endpoint=rule.endpoint, methods=rule.methods)
                 for rule in app.url_map.iter_rules()])
    monkeypatch.setattr(app, "url_map", moved)
    routes = _routes(client)
    assert re.search(routes["article"], "/tin/hoi-nghi") and not re.search(routes["article"], "/bai-viet/hoi-nghi")
    assert re.search(routes["audio"], "/tin/hoi-nghi/nghe.mp3")
    assert re.search(routes["manifest"], "/tin/hoi-nghi/nghe.json")


def test_under_a_prefix_the_worker_knows_the_prefixed_paths(client):
    settings = _worker_settings(client.get("/sw.js", base_url="http://localhost/docbai").get_data(as_text=True))
    assert re.search(settings["routes"]["article"], "/docbai/bai-viet/hoi-nghi")
    assert not re.search(settings["routes"]["article"], "/bai-viet/hoi-nghi")
    assert settings["offlinePage"] == "/docbai/ngoai-tuyen"
    assert settings["savedList"] == "/docbai/ngoai-tuyen/da-luu.json"
    assert all(url.startswith("/docbai/static/") for url in settings["precache"])


def test_the_offline_page_tells_list_pages_by_the_url_map(client):
    html = client.get("/ngoai-tuyen").get_data(as_text=True)
    pattern = html_unescape(re.search(r'data-list-pattern="([^"]+)"', html).group(1))
    for path in ("/", "/chuyen-muc/kinh-te", "/tim-kiem", "/thu-vien-anh", "/thu-vien-video"):
        assert re.search(pattern, path), path
    for path in ("/bai-viet/hoi-nghi", "/chuyen-muc/kinh-te/rss.xml", "/ngoai-tuyen", "/tuy-chon"):
        assert not re.search(pattern, path), path


def test_the_scripts_write_no_route_by_hand():
    scripts = Path(__file__).resolve().parent.parent / "static" / "js"
    for script in ("sw.js", "offline.js"):
        # The code, without its comments (which may well name a route to explain it).
        source = re.sub(r"(?m)(^|\s)//.*$", "", (scripts / script).read_text(encoding="utf-8"))
        for path in ("/bai-viet", "/media", "/static", "/ngoai-tuyen", "/chuyen-muc", "/tim-kiem", "nghe.mp3",
                     "nghe.json", "da-luu.json", 'scope: "/"'):
            assert path not in source, (script, path)


def test_every_module_the_page_may_import_is_precached(client):
    settings = _worker_settings(client.get("/sw.js").get_data(as_text=True))
    precached = {url.partition("?")[0] for url in settings["precache"]}
    scripts = Path(__file__).resolve().parent.parent / "static" / "js"
    modules = {"/static/js/" + path.relative_to(scripts).as_posix() for path in scripts.glob("*/*.js")}
    assert modules and modules <= precached
