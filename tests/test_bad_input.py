"""Bad input gets a clear answer: never a 500, never a bare page, never a redirect to another host."""
import io
import errno
import json
import multiprocessing
import re
import shutil
import threading
import time
import types
import unicodedata

import feedparser
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy.exc import InterfaceError

from app import create_app
from extensions import db
from models import Article, Category, clean_text
from services.content.importer import import_articles
from services.printing import article_pdf, render
from support import silent_mp3, use_voice
from test_importer import import_row

CONTROL_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x9b", "\ud800", "\ufffe", "\U0010ffff"]
FAKE_PDF = b"%PDF-1.7\n" + b"0123456789" * 100 + b"\n%%EOF\n"


class SilentEngine:
    """A voice that answers at once, so these tests are about HTTP, not synthesis."""

    name = "silent"
    voice = "test"
    mp3 = silent_mp3()

    def synthesize(self, text):
        return self.mp3


def _is_vietnamese_error_page(response, status):
    html = response.get_data(as_text=True)
    return response.status_code == status and 'lang="vi"' in html and f"Mã lỗi: {status}" in html


def _stored(app, model, **where):
    with app.app_context():
        return db.session.execute(sa.select(model).filter_by(**where)).scalar_one()


def _when_ready(client, path, seconds=30):
    """The first answer to path that is not "being made" (202), waiting for the generation job."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(path)
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


# Control characters: removed in the model, at import and before XML output.

@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=ascii)
def test_control_characters_never_reach_the_database_or_the_feeds(db_app, make_article, character):
    article = make_article(
        title=f"Hội nghị{character}tổng kết", summary=f"Tóm{character} tắt", author=f"Minh{character}Anh"
    )
    stored = _stored(db_app, Article, id=article.id)
    for text in (stored.title, stored.summary, stored.author):
        assert text == clean_text(text) and character not in text
    assert stored.title in ("Hội nghịtổng kết", "Hội nghị\ntổng kết")
    client = db_app.test_client()
    for path in ("/rss.xml", "/chuyen-muc/tin-tuc/rss.xml", "/podcast.xml", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not feedparser.parse(response.data).bozo, path
    assert client.get(f"/bai-viet/{article.slug}").status_code == 200


@pytest.mark.parametrize("character", ["\x0b", "\x1b", "\x7f", "\x9b"], ids=ascii)
def test_feeds_clean_text_stored_before_the_model_did(db_app, make_article, character):
    article = make_article()
    with db_app.app_context():
        # Straight SQL, past the model's flush hook: how rows stored by older code look.
        db.session.execute(
            sa.update(Article).where(Article.id == article.id)
            .values(title=f"Tin{character}mới", summary=f"Tóm{character}tắt", author=f"Tác{character}giả")
        )
        db.session.execute(sa.update(Category).values(name=f"Tin{character}tức"))
        db.session.commit()
    client = db_app.test_client()
    for path in ("/rss.xml", "/chuyen-muc/tin-tuc/rss.xml", "/podcast.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        feed = feedparser.parse(response.data)
        assert not feed.bozo, path
    entry = feedparser.parse(client.get("/rss.xml").data).entries[0]
    assert entry.title in ("Tinmới", "Tin\nmới")


@pytest.mark.parametrize("field", ["title", "summary", "author", "category", "body_html"])
@pytest.mark.parametrize("character", ["\x0b", "\x1b", "\x00", "\x7f", "\ud800", "\ufffe"], ids=ascii)
def test_import_removes_control_characters(db_app, tmp_path, field, character):
    row = import_row()
    row[field] = row[field].replace("n", f"n{character}", 1)
    path = tmp_path / "bai.jsonl"
    # ensure_ascii keeps a lone surrogate writable: the file holds "\ud800" as JSON escapes it.
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with db_app.app_context():
        report = import_articles(str(path), db_app.config["MEDIA_ROOT"])
    assert report.errors == [] and report.created == 1
    with db_app.app_context():
        article = db.session.execute(sa.select(Article).filter_by(external_id="src-1")).scalar_one()
        texts = [article.title, article.summary, article.body_html, article.author, article.category.name]
    assert all(character not in text for text in texts)
    assert db_app.test_client().get("/rss.xml").status_code == 200


# NUL in a path, a slug or a query: a 404 or a 400, on either database.

def _paths_with(app, value):
    """Every route that takes a string or a path, with value in each such place (0 for numbers)."""
    paths = {}
    for rule in app.url_map.iter_rules():
        kinds = {name: type(converter).__name__ for name, converter in rule._converters.items()}
        if not any(kind in ("UnicodeConverter", "PathConverter") for kind in kinds.values()):
            continue
        paths[rule.rule] = re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda match: value if kinds[match.group(1)] in ("UnicodeConverter", "PathConverter") else "0",
            rule.rule,
        )
    return paths


def test_every_reading_route_is_checked(app):
    checked = set(_paths_with(app, "x"))
    assert {"/bai-viet/<slug>", "/chuyen-muc/<slug>/rss.xml", "/media/<path:filename>", "/static/<path:filename>"} <= checked


@pytest.mark.parametrize("value", ["bai-viet-so-1%00", "%00", "a%00b.jpg"])
def test_nul_in_a_path_is_a_404(db_app, make_article, value):
    make_article()
    client = db_app.test_client()
    answers = {rule: client.get(path) for rule, path in _paths_with(db_app, value).items()}
    wrong = {rule: response.status_code for rule, response in answers.items() if not _is_vietnamese_error_page(response, 404)}
    assert wrong == {}


@pytest.mark.parametrize("query", ["/tim-kiem?q=h%E1%BB%8Dp%00", "/?trang=1%00", "/tuy-chon?next=/%00", "/?%00=1"])
def test_nul_in_a_query_is_a_400(db_app, query):
    assert _is_vietnamese_error_page(db_app.test_client().get(query), 400)


# Host: an unreadable or untrusted one gets the Vietnamese 400; no redirect is built from it.

@pytest.mark.parametrize(
    "trusted, host, status",
    [
        (None, "a..b", 400),
        (None, ".", 400),
        (None, "localhost", 200),
        (["doc.example.vn"], "a..b", 400),
        (["doc.example.vn"], "evil.example", 400),
        (["doc.example.vn"], "exa mple.vn", 400),
        (["doc.example.vn"], "doc.example.vn.evil.example", 400),
        (["doc.example.vn"], "doc.example.vn", 200),
        (["doc.example.vn", "www.doc.example.vn"], "www.doc.example.vn", 200),
    ],
)
def test_host_header(app, trusted, host, status):
    app.config["TRUSTED_HOSTS"] = trusted
    response = app.test_client().get("/tim-kiem", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        html = response.get_data(as_text=True)
        assert "Yêu cầu không hợp lệ" in html and 'lang="vi"' in html
        # The way back is the site's own address, never the Host that was sent.
        assert f'href="{app.config["SITE_URL"]}/"' in html and f"//{host}" not in html


def test_trusted_hosts_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRUSTED_HOSTS", "doc.example.vn, www.doc.example.vn")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "t.db")})
    assert app.config["TRUSTED_HOSTS"] == ["doc.example.vn", "www.doc.example.vn"]


@pytest.mark.parametrize("path", ["/media//x.jpg", "/bai-viet//bai-viet-so-1", "//chuyen-muc/tin-tuc", "/static//css/site.css"])
def test_no_redirect_goes_to_a_forged_host(db_app, make_article, path):
    make_article()
    response = db_app.test_client().get(path, headers={"Host": "evil.example"})
    assert "evil.example" not in response.headers.get("Location", "")
    assert response.status_code in (200, 404)


# Forms: anything larger than the preferences ever send is refused at once.

@pytest.mark.parametrize("path", ["/tuy-chon", "/tuy-chon/tiet-kiem-du-lieu"])
@pytest.mark.parametrize(
    "body, content_type",
    [
        ("&".join(f"f{i}=x" for i in range(400_000)), "application/x-www-form-urlencoded"),
        ("next=" + "a" * 200_000, "application/x-www-form-urlencoded"),
        (
            "".join(f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n' for i in range(500)) + "--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
    ],
    ids=["400k-fields", "one-huge-field", "500-parts"],
)
def test_oversized_forms_are_refused_quickly(client, path, body, content_type):
    # Quickly: before the body is read whole (counted in bytes, not timed: a busy machine makes times lie).
    data = body.encode("ascii")
    stream = _CountingStream(data)
    response = client.post(path, input_stream=stream, content_type=content_type, content_length=len(data))
    assert _is_vietnamese_error_page(response, 413)
    assert "quá lớn" in response.get_data(as_text=True)
    if len(data) > client.application.config["MAX_CONTENT_LENGTH"]:
        assert stream.bytes_read == 0  # refused on its Content-Length, before a byte of it is read


class _CountingStream(io.BytesIO):
    """A request body that counts the bytes the server read of it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.bytes_read += count
        return count

    def readline(self, size=-1):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def test_the_preferences_form_still_works(client):
    response = client.post("/tuy-chon/tiet-kiem-du-lieu", data={"data_saver": "on", "next": "/"})
    assert response.status_code == 303


# Byte ranges: one range is a 206; several, or an unreadable header, get the whole file.

@pytest.fixture
def served_files(app, make_article, monkeypatch):
    """Paths of an article's audio and PDF, a media file and a static file, each with its bytes."""
    article = make_article()
    use_voice(app, SilentEngine())
    monkeypatch.setattr(article_pdf, "render_pdf", lambda *args, **kwargs: FAKE_PDF)
    media = app.config["MEDIA_ROOT"] + "/tep.txt"
    with open(media, "wb") as handle:
        handle.write(b"0123456789" * 50)
    client = app.test_client()
    paths = [f"/bai-viet/{article.slug}/nghe.mp3", f"/bai-viet/{article.slug}/in.pdf", "/media/tep.txt", "/static/css/print.css"]
    files = {}
    for path in paths:
        response = _when_ready(client, path)
        assert response.status_code == 200, path
        files[path] = response.data
    return client, files


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "bytes=0-0,-1", "bytes=abc", "bytes=5-1"])
def test_ranges_werkzeug_cannot_serve_get_the_whole_file(served_files, header):
    client, files = served_files
    for path, whole in files.items():
        response = client.get(path, headers={"Range": header})
        assert response.status_code == 200, path
        assert response.data == whole and len(whole) > 10, path


def test_one_range_is_still_a_206(served_files):
    client, files = served_files
    for path, whole in files.items():
        response = client.get(path, headers={"Range": "bytes=2-5"})
        assert response.status_code == 206 and response.data == whole[2:6], path


# Failures of what the site depends on: the designed 503 with Retry-After, never a 500.

def _is_designed_503(response):
    return _is_vietnamese_error_page(response, 503) and int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1:1/test", "sqlite:////nonexistent-folder/docbai.db"],
    ids=["postgresql-refused", "sqlite-unopenable"],
)
@pytest.mark.parametrize("path", ["/", "/bai-viet/bai-viet-so-1", "/rss.xml", "/tim-kiem?q=h%E1%BB%8Dp"])
def test_a_database_that_is_down_gives_503(tmp_path, monkeypatch, url, path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {}}})
    assert _is_designed_503(app.test_client().get(path))


def test_a_dropped_connection_gives_503(app):
    def dropped():
        raise InterfaceError("SELECT 1", {}, Exception("connection already closed"))

    app.add_url_rule("/_dropped", view_func=dropped)
    assert _is_designed_503(app.test_client().get("/_dropped"))


@pytest.mark.parametrize("cache_setting, path", [("AUDIO_CACHE_DIR", "nghe.mp3"), ("PDF_CACHE_DIR", "in.pdf")])
def test_a_cache_that_cannot_be_written_gives_503(app, make_article, monkeypatch, cache_setting, path):
    article = make_article()
    use_voice(app, SilentEngine())
    monkeypatch.setattr(article_pdf, "render_pdf", lambda *args, **kwargs: FAKE_PDF)
    # A file where the cache folder should be: no write can succeed, even as root.
    cache = app.config[cache_setting]
    shutil.rmtree(cache)
    with open(cache, "w") as handle:
        handle.write("not a folder")
    assert _is_designed_503(_when_ready(app.test_client(), f"/bai-viet/{article.slug}/{path}"))


def test_a_pdf_worker_that_cannot_start_gives_503(app, make_article, monkeypatch):
    article = make_article()
    context = multiprocessing.get_context("spawn")

    class UnstartableProcess(context.Process):
        def start(self):
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    workers = types.SimpleNamespace(Pipe=context.Pipe, Process=UnstartableProcess)
    monkeypatch.setattr(render._WORKERS, "get", lambda: (workers, threading.BoundedSemaphore(1)))
    assert _is_designed_503(_when_ready(app.test_client(), f"/bai-viet/{article.slug}/in.pdf"))


# RSS descriptions: the summary as readers see it on the site, escaped once.

@pytest.mark.parametrize(
    "summary",
    [
        "Giá <b>lúa</b> tăng & ngô giảm",
        "Chỉ tiêu a < b và c > d",
        "Mã &amp; là một thực thể HTML",
        "<script>alert(1)</script> thông báo",
        "Bình thường, không có ký hiệu",
    ],
)
def test_rss_description_is_the_plain_summary(client, make_article, summary):
    make_article(title="Tin <mới> & nóng", summary=summary)
    entry = feedparser.parse(client.get("/rss.xml").data).entries[0]
    # Feed readers take a description as HTML: what they show must be the summary's text, tags and all.
    shown = BeautifulSoup(entry.summary, "html.parser").get_text()
    assert unicodedata.normalize("NFC", shown) == summary
    assert BeautifulSoup(entry.summary, "html.parser").find(["b", "script"]) is None
    assert entry.title == "Tin <mới> & nóng"


# nginx sends cached files when ACCEL_REDIRECT_PREFIX says so; the app still answers 304s itself.

def test_cached_audio_and_pdf_go_out_through_nginx(served_files, app):
    client, files = served_files
    pdf = next(path for path in files if path.endswith(".pdf"))
    segment = pdf.replace("in.pdf", "nghe/0.mp3")
    cached = {pdf: files[pdf], segment: _when_ready(client, segment).data}
    app.config["ACCEL_REDIRECT_PREFIX"] = "/_cache/"
    for path in cached:
        response = client.get(path, headers={"Range": "bytes=2-5"})
        assert response.status_code == 200 and response.data == b"", path
        internal = response.headers["X-Accel-Redirect"]
        assert internal.startswith("/_cache/") and ".." not in internal
        on_disk = app.config["ACCEL_REDIRECT_ROOT"] + internal[len("/_cache"):]
        assert open(on_disk, "rb").read() == cached[path]
        assert "Content-Range" not in response.headers
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and "X-Accel-Redirect" not in again.headers
    # Static and media files are nginx's own locations, never an internal redirect.
    assert "X-Accel-Redirect" not in client.get("/media/tep.txt").headers
