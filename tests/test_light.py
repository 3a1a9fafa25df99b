"""Light pages: compression, caching, conditional requests, images, data saving and reading preferences."""
import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import brotli
import pytest
from PIL import Image
from sqlalchemy import select, update

from extensions import db
from models import Article, Figure
from services.demo.pictures import draw_demo_image
from services.demo.seed import seed_demo
from services.media.images import Variant, parse_variant, size_label, variant_widths
from services.media.store import store_image
from services.preferences import (
    ReadingPreferences,
    parse_preferences,
    preferences_cookie_value,
    safe_return_path,
    save_data_requested,
)
from services.infra.static_files import StaticFiles
from web.site_services import flush_views

# The first TCP round trip: ten segments of about 1,460 bytes, less room for the response headers.
FIRST_ROUND_TRIP_BYTES = 14 * 1000
BR_GZIP = {"Accept-Encoding": "br, gzip"}


@pytest.fixture
def figure_article(app, make_article):
    """A published article whose body holds one stored 800×533 JPEG figure."""
    import random

    stored = store_image(app.config["MEDIA_ROOT"], draw_demo_image(random.Random(1)), "demo")
    body = (
        "<p>Đoạn mở đầu.</p>"
        f'<figure><img src="/media/{stored.path}" alt="Quang cảnh hội nghị" width="{stored.width}" '
        f'height="{stored.height}"><figcaption>Quang cảnh hội nghị.</figcaption></figure><p>Đoạn cuối.</p>'
    )
    article = make_article(body_html=body)
    with app.app_context():
        db.session.add(Figure(article_id=article.id, position=0, image_path=stored.path, alt="Quang cảnh hội nghị",
                              caption="Quang cảnh hội nghị.", width=stored.width, height=stored.height))
        db.session.commit()
    return article, stored


def _inline_style(html: str) -> str:
    return re.search(r"<style>(.*?)</style>", html, re.S).group(1)


# --- compression -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_compressed_and_say_what_they_vary_by(client, make_article, encoding, decompress):
    make_article()
    response = client.get("/", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "<html" in decompress(response.data).decode("utf-8")
    vary = {part.strip() for part in response.headers["Vary"].split(",")}
    assert {"Accept-Encoding", "HX-Request", "Cookie", "Save-Data"} <= vary


@pytest.mark.parametrize("cached", [True, False], ids=["page cache", "no page cache"])
@pytest.mark.parametrize("path", ["/", "/bai-viet/bai-viet-so-1", "/thu-vien-anh"])
def test_the_same_page_is_compressed_once_and_a_repeat_visit_not_at_all(app, make_article, monkeypatch, path, cached):
    import brotli

    import flask_compress.flask_compress as flask_compress
    from web import page_cache

    if not cached:
        app.extensions["docbai_page_cache"].seconds = 0  # every request renders: the same body, compressed once
    make_article()
    client = app.test_client()
    compressions = []
    # The two places a page is compressed: the page cache's own, and Flask-Compress for pages it does not keep.
    real_own = page_cache.compressed
    monkeypatch.setattr(page_cache, "compressed", lambda body, encoding: compressions.append(encoding) or real_own(body, encoding))
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda *args: compressions.append(args[2]) or real(*args))
    first = client.get(path, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br" and compressions == ["br"]
    assert "<html" in brotli.decompress(first.data).decode()  # a whole page
    again = client.get(path, headers={"Accept-Encoding": "br"})
    assert again.data == first.data and compressions == ["br"]
    repeat = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert repeat.status_code == 304 and not repeat.data and compressions == ["br"]
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and compressions == ["br", "gzip"]
    assert gzip.decompress(gzipped.data) == brotli.decompress(first.data)
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers and plain.data == gzip.decompress(gzipped.data)


def test_static_text_files_are_compressed_too(client):
    html = client.get("/").get_data(as_text=True)
    htmx_url = re.search(r'src="(/static/vendor/htmx/[^"]+)"', html).group(1)
    response = client.get(htmx_url, headers=BR_GZIP)
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.data) < 25_000


# --- static files and the inline stylesheet ----------------------------------------------------------


def test_static_urls_carry_a_content_fingerprint_and_are_immutable(app, client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'src="(/static/js/site\.js\?v=([0-9a-f]{12}))"', html)
    assert url, "site.js is not linked with a fingerprint"
    with open(os.path.join(app.static_folder, "js", "site.js"), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest().startswith(url.group(2))
    response = client.get(url.group(1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v=<script>"])
def test_a_stale_or_missing_fingerprint_is_revalidated_not_pinned(client, query):
    response = client.get("/static/js/site.js" + query)
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_scripts_are_deferred_and_no_stylesheet_blocks_rendering(client, figure_article):
    article, _ = figure_article
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    head = html.split("</head>")[0]
    # Classic scripts are deferred, modules are by nature; the import map is data, not a script that runs.
    scripts = [tag for tag in re.findall(r"<script\b[^>]*>", head) if tag != '<script type="importmap">']
    assert scripts and all("defer" in tag or 'type="module"' in tag for tag in scripts)
    assert not re.search(r'<link rel="stylesheet"(?![^>]*media="print")', head)
    assert "@font-face" not in _inline_style(html)


def test_csp_allows_the_inline_stylesheet_by_its_hash_and_nothing_else_inline(client):
    response = client.get("/")
    style = _inline_style(response.get_data(as_text=True))
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    policy = response.headers["Content-Security-Policy"]
    style_src = next(part for part in policy.split(";") if part.strip().startswith("style-src"))
    assert f"'sha256-{digest}'" in style_src
    assert "unsafe-inline" not in policy


def test_the_inline_stylesheet_follows_an_edited_file(app, client, tmp_path):
    # Edit a copy: a test never writes into the repository.
    app.static_folder = str(shutil.copytree(app.static_folder, tmp_path / "static"))
    app.extensions["static_files"] = StaticFiles(app.static_folder)
    before = _inline_style(client.get("/").get_data(as_text=True))
    with open(os.path.join(app.static_folder, "css", "site.css"), "ab") as handle:
        handle.write(b"\n.test-marker{color:red}\n")
    response = client.get("/")
    style = _inline_style(response.get_data(as_text=True))
    assert ".test-marker" in style and style != before
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert digest in response.headers["Content-Security-Policy"]


def _import_map(html: str) -> str:
    return re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1)


def test_modules_are_imported_by_their_fingerprinted_urls(app, client):
    imports = json.loads(_import_map(client.get("/").get_data(as_text=True)))["imports"]
    static = Path(app.static_folder)
    modules = sorted(path for folder in ("player", "shared", "bulletin") for path in (static / "js" / folder).glob("*.js"))
    assert len(modules) >= 5
    for path in modules:
        bare = "/static/" + path.relative_to(static).as_posix()
        assert imports[bare] == f"{bare}?v={hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
        # A browser without import maps asks for the bare URL: never kept stale (nginx says the same).
        assert client.get(bare).headers["Cache-Control"] == "no-cache"
    assert len(imports) == len(modules)
    # Every relative import of every script leads to a module the map names: one outside the module folders
    # would be fetched by its bare URL.
    for script in (static / "js").rglob("*.js"):
        for specifier in re.findall(r'^import .*? from "(\.[^"]+)";$', script.read_text(encoding="utf-8"), re.M):
            target = (script.parent / specifier).resolve().relative_to(static.resolve()).as_posix()
            assert "/static/" + target in imports, (script.name, specifier)


def test_the_import_map_follows_an_edited_module_and_its_csp_hash_with_it(app, client, make_article, monkeypatch):
    make_article()
    client.get("/")  # now in the page cache
    static_files = app.extensions["static_files"]
    fingerprint = static_files.fingerprint
    monkeypatch.setattr(static_files, "recheck_seconds", 0)  # as under the debug server: looked at every time
    monkeypatch.setattr(static_files, "fingerprint",
                        lambda name: "0123456789ab" if name == "js/player/locator.js" else fingerprint(name))
    response = client.get("/")
    import_map = _import_map(response.get_data(as_text=True))
    assert json.loads(import_map)["imports"]["/static/js/player/locator.js"] == "/static/js/player/locator.js?v=0123456789ab"
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    script_src = next(part for part in response.headers["Content-Security-Policy"].split(";")
                      if part.strip().startswith("script-src"))
    assert f"'sha256-{digest}'" in script_src


# --- conditional requests ----------------------------------------------------------------------------


def test_a_repeat_visit_to_a_list_costs_a_304(client, make_article):
    make_article()
    first = client.get("/", headers=BR_GZIP)
    assert first.headers["ETag"].startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    repeat = client.get("/", headers={**BR_GZIP, "If-None-Match": first.headers["ETag"]})
    assert repeat.status_code == 304 and repeat.data == b""
    assert "HX-Request" in repeat.headers["Vary"] and "Accept-Encoding" in repeat.headers["Vary"]


def test_a_repeat_visit_to_an_article_is_counted_and_costs_a_304(app, client, make_article):
    article = make_article()
    first = client.get(f"/bai-viet/{article.slug}", headers=BR_GZIP)
    client.get(f"/bai-viet/{article.slug}/xem.gif")  # the page's view beacon, loaded again on every visit
    repeat = client.get(f"/bai-viet/{article.slug}", headers={**BR_GZIP, "If-None-Match": first.headers["ETag"]})
    client.get(f"/bai-viet/{article.slug}/xem.gif")
    assert repeat.status_code == 304
    flush_views(app)
    with app.app_context():
        assert db.session.get(Article, article.id).views == 2


def test_an_edited_article_is_sent_again(app, client, make_article):
    article = make_article()
    etag = client.get(f"/bai-viet/{article.slug}").headers["ETag"]
    with app.app_context():
        db.session.execute(update(Article).where(Article.id == article.id).values(title="Tiêu đề đã sửa"))
        db.session.commit()
    response = client.get(f"/bai-viet/{article.slug}", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Tiêu đề đã sửa" in response.get_data(as_text=True)


def test_fragment_and_page_have_different_validators(client, make_article):
    for _ in range(12):
        make_article()
    page = client.get("/?trang=2")
    fragment = client.get("/?trang=2", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert page.headers["ETag"] != fragment.headers["ETag"]
    stale = client.get("/?trang=2", headers={"HX-Request": "true", "If-None-Match": page.headers["ETag"]})
    assert stale.status_code == 200


def test_a_new_reading_preference_changes_the_validator(client, make_article):
    make_article()
    etag = client.get("/").headers["ETag"]
    client.set_cookie("reading", "size=large")
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert '<html lang="vi" class="text-large">' in response.get_data(as_text=True)


# --- images ------------------------------------------------------------------------------------------


def test_article_images_offer_resized_webp_with_a_jpeg_fallback(client, figure_article):
    article, stored = figure_article
    html = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    assert f'/media/_sizes/480/{stored.path}.webp 480w' in picture
    assert 'type="image/webp"' in picture and 'sizes="' in picture
    image = re.search(r"<img [^>]*>", picture).group(0)
    for attribute in ('loading="lazy"', 'decoding="async"', 'width="800"', 'height="533"',
                      f'src="/media/{stored.path}"', f"/media/_sizes/320/{stored.path}.jpg 320w"):
        assert attribute in image
    assert "1200w" not in picture, "an image must never be enlarged"


def test_list_thumbnails_offer_only_small_copies(client, figure_article):
    article, stored = figure_article
    html = client.get("/").get_data(as_text=True)
    thumb = re.search(r'<picture class="thumb">.*?</picture>', html, re.S).group(0)
    widths = {int(width) for width in re.findall(r" (\d+)w", thumb)}
    assert widths and max(widths) <= 320


@pytest.mark.parametrize("width, kind, media_type", [(320, "webp", "image/webp"), (160, "jpg", "image/jpeg"),
                                                      (800, "webp", "image/webp")])
def test_a_variant_is_made_once_and_cached_on_disk(app, client, figure_article, width, kind, media_type):
    _, stored = figure_article
    url = f"/media/_sizes/{width}/{stored.path}.{kind}"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == media_type
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.width == width
    path = os.path.join(app.config["MEDIA_ROOT"], "_sizes", str(width), stored.path + "." + kind)
    made = os.stat(path).st_mtime_ns
    assert client.get(url).data == response.data
    assert os.stat(path).st_mtime_ns == made
    leftovers = [name for name in os.listdir(os.path.dirname(path)) if name.startswith(".tmp")]
    assert not leftovers


@pytest.mark.parametrize("path", [
    "/media/_sizes/333/{source}.webp",       # not a standard width
    "/media/_sizes/1200/{source}.webp",      # larger than the source
    "/media/_sizes/320/{source}.png",        # not this source's fallback format
    "/media/_sizes/320/{source}.gif",
    "/media/_sizes/320/demo/missing.jpg.webp",
    "/media/_sizes/320/../secret_key.webp",
    "/media/_sizes/320/%2e%2e/%2e%2e/etc/passwd.webp",
    "/media/_sizes/320/_sizes/320/{source}.webp.webp",
])
def test_bad_variant_requests_are_404s(client, figure_article, path):
    _, stored = figure_article
    assert client.get(path.format(source=stored.path)).status_code == 404


def test_a_file_that_is_not_an_image_gives_404_not_500(app, client):
    os.makedirs(os.path.join(app.config["MEDIA_ROOT"], "demo"), exist_ok=True)
    with open(os.path.join(app.config["MEDIA_ROOT"], "demo", "broken.jpg"), "wb") as handle:
        handle.write(b"not a jpeg at all")
    assert client.get("/media/_sizes/320/demo/broken.jpg.webp").status_code == 404


def test_content_named_media_are_immutable(client, figure_article):
    _, stored = figure_article
    response = client.get(f"/media/{stored.path}")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


# --- data saver --------------------------------------------------------------------------------------


def _article_body(html: str) -> str:
    return re.search(r'<div class="article-body">(.*?)</div>', html, re.S).group(1)


@pytest.mark.parametrize("headers, cookie", [({"Save-Data": "on"}, None), ({}, "data=on"),
                                             ({"Save-Data": "ON; foo"}, "size=large")])
def test_saving_data_shows_image_placeholders_with_their_size(app, client, figure_article, headers, cookie):
    article, stored = figure_article
    if cookie:
        client.set_cookie("reading", cookie)
    # Rendering never writes image files: the variant exists once its first request has made it.
    assert client.get(f"/media/_sizes/480/{stored.path}.webp").status_code == 200
    html = client.get(f"/bai-viet/{article.slug}", headers=headers).get_data(as_text=True)
    body = _article_body(html)
    assert "<img" not in body and "<picture" not in body
    link = re.search(r'<a class="image-placeholder" href="([^"]+)"[^>]*>Tải ảnh \((\d+) KB\)', body)
    assert link, body
    variant = os.path.join(app.config["MEDIA_ROOT"], link.group(1).removeprefix("/media/"))
    assert link.group(1) == f"/media/_sizes/480/{stored.path}.webp"
    assert int(link.group(2)) == max(1, round(os.path.getsize(variant) / 1024))
    assert re.search(r'<html lang="vi" class="[^"]*\bdata-saver\b', html)
    assert "<picture" not in html, "a thumbnail still loads while saving data"


def test_the_readers_choice_overrides_the_browsers_save_data(client, figure_article):
    article, _ = figure_article
    client.set_cookie("reading", "data=off")
    html = client.get(f"/bai-viet/{article.slug}", headers={"Save-Data": "on"}).get_data(as_text=True)
    assert "<picture>" in _article_body(html)


def test_saving_data_never_embeds_a_video(app, client):
    from models import Video

    with app.app_context():
        db.session.add(Video(title="Phiên chợ vùng cao", file_path="videos/cho.mp4"))
        db.session.commit()
    os.makedirs(os.path.join(app.config["MEDIA_ROOT"], "videos"), exist_ok=True)
    with open(os.path.join(app.config["MEDIA_ROOT"], "videos", "cho.mp4"), "wb") as handle:
        handle.write(b"\0" * 3 * 1024 * 1024)
    assert "<video" in client.get("/thu-vien-video").get_data(as_text=True)
    html = client.get("/thu-vien-video", headers={"Save-Data": "on"}).get_data(as_text=True)
    assert "<video" not in html
    assert re.search(r'href="/media/videos/cho.mp4">Xem video<span class="visually-hidden">: Phiên chợ vùng cao'
                     r"</span></a> \(3,0 MB\)", html)


# --- reading preferences -----------------------------------------------------------------------------


@pytest.mark.parametrize("cookie, html_tag", [
    ("size=large", '<html lang="vi" class="text-large">'),
    ("size=larger&contrast=high&spacing=loose", '<html lang="vi" class="text-larger high-contrast loose-lines">'),
    ("contrast=high&data=on", '<html lang="vi" class="high-contrast data-saver">'),
    ("size=huge&contrast=max", '<html lang="vi">'),
    ("%%%===&&&", '<html lang="vi">'),
    ("size=large&" * 100, '<html lang="vi">'),
])
def test_preference_cookies_render_classes_on_html(client, cookie, html_tag):
    client.set_cookie("reading", cookie)
    assert html_tag in client.get("/").get_data(as_text=True)


def test_the_form_sets_the_cookie_and_goes_back(client, make_article):
    article = make_article()
    back = f"/bai-viet/{article.slug}?trang=2"
    response = client.post("/tuy-chon", data={"text_size": "larger", "high_contrast": "on", "next": back})
    assert response.status_code == 303 and response.headers["Location"] == back
    cookie = response.headers["Set-Cookie"]
    assert "reading=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    html = client.get(back).get_data(as_text=True)
    assert '<html lang="vi" class="text-larger high-contrast">' in html
    form = client.get("/tuy-chon?next=" + back).get_data(as_text=True)
    assert re.search(r'value="larger" checked', form) and re.search(r'name="high_contrast" value="on"[^>]* checked', form)


def test_the_data_saver_switch_keeps_the_other_preferences(client):
    client.set_cookie("reading", "size=large")
    response = client.post("/tuy-chon/tiet-kiem-du-lieu", data={"data_saver": "on", "next": "/thu-vien-anh"})
    assert response.headers["Location"] == "/thu-vien-anh"
    html = client.get("/").get_data(as_text=True)
    assert 'class="text-large data-saver"' in html
    assert 'aria-pressed="true"' in html and 'name="data_saver" value="off"' in html


def test_reset_forgets_every_preference(client):
    client.set_cookie("reading", "size=large&contrast=high")
    response = client.post("/tuy-chon", data={"action": "reset", "next": "/"})
    assert "reading=;" in response.headers["Set-Cookie"]
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "", "bai-viet", "/\r\nSet-Cookie: x=1"])
def test_the_form_never_sends_a_reader_off_site(client, target):
    response = client.post("/tuy-chon", data={"text_size": "large", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("form, html_tag", [
    ({}, '<html lang="vi">'),
    ({"text_size": "x" * 10_000}, '<html lang="vi">'),
    ({"text_size": ["large", "larger"]}, '<html lang="vi" class="text-large">'),
    ({"high_contrast": "yes"}, '<html lang="vi">'),
])
def test_odd_form_input_is_read_as_the_nearest_valid_choice(client, form, html_tag):
    response = client.post("/tuy-chon", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert html_tag in client.get("/").get_data(as_text=True)


# --- the first round trip ----------------------------------------------------------------------------


def test_every_page_fits_the_first_round_trip(app, client):
    with app.app_context():
        seed_demo(app.config["MEDIA_ROOT"], article_count=24)
        slugs = db.session.execute(select(Article.slug, Article.body_html)).all()
    longest = max(slugs, key=lambda row: len(row.body_html)).slug
    with_figure = next(row.slug for row in slugs if "<figure" in row.body_html)
    for path in ("/", "/chuyen-muc/kinh-te", f"/bai-viet/{longest}", f"/bai-viet/{with_figure}"):
        for encoding in ("br", "gzip"):
            response = client.get(path, headers={"Accept-Encoding": encoding})
            assert response.status_code == 200
            assert len(response.data) <= FIRST_ROUND_TRIP_BYTES, (path, encoding, len(response.data))


# --- the services, directly --------------------------------------------------------------------------


@pytest.mark.parametrize("preferences", [
    ReadingPreferences(), ReadingPreferences("larger", True, True, False), ReadingPreferences("large", data_saver=True),
])
def test_preferences_survive_the_cookie(preferences):
    assert parse_preferences(preferences_cookie_value(preferences)) == preferences


@pytest.mark.parametrize("value, expected", [("on", True), ("On", True), ("on; v=1", True), ("off", False),
                                             ("", False), (None, False), ("1", False)])
def test_save_data_header(value, expected):
    assert save_data_requested(value) is expected


@pytest.mark.parametrize("target, expected", [("/", "/"), ("/bai-viet/a?trang=2", "/bai-viet/a?trang=2"),
                                              ("//x.example", None), ("http://x.example/", None),
                                              ("/\\x.example", None), ("/a\nb", None), (None, None)])
def test_safe_return_path(target, expected):
    assert safe_return_path(target) == expected


@pytest.mark.parametrize("size, label", [(10, "1 KB"), (46_080, "45 KB"), (3 * 1024 * 1024, "3,0 MB"),
                                         (1_300_000, "1,2 MB")])
def test_size_label(size, label):
    assert size_label(size) == label


def test_variant_widths_never_enlarge():
    assert variant_widths(800) == (160, 320, 480)
    assert variant_widths(100) == ()
    assert parse_variant(320, "demo/a.png.png") == Variant("demo/a.png", 320, "png")
    assert parse_variant(320, "demo/a.jpg.png") is None
    assert parse_variant(320, "demo/../a.jpg.webp") is None
