"""Pages from the cache and views through a buffer: an edit shows at once in the process that made it and
within half a second in the others, no view is lost, the beacon counts once and is never cached, one
reader's preferences never reach another's page."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select, update

from extensions import cache, db
from models import Article, Link
from services.infra.content_version import FileContentVersion, RedisContentVersion
from services.infra.files import FileCache, RedisLocks, cache_key
from services.infra.near_cache import NearCache
from services.infra.static_files import StaticFiles
from services.content.views import BufferedViews, RedisViews
from web.site_services import flush_views
from support import redis_running


ROOT = Path(__file__).resolve().parent.parent
needs_redis = pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379")


@pytest.fixture
def redis():
    """A Redis database of these tests' own, flushed before and after."""
    from redis import Redis

    connection = Redis.from_url("redis://127.0.0.1:6379/12")
    connection.flushdb()
    yield connection
    connection.flushdb()


def _stored_views(app, article_id):
    with app.app_context():
        return db.session.execute(select(Article.views).where(Article.id == article_id)).scalar_one()


def _statements(app):
    """A list that grows by one for each SQL statement the app's engine runs."""
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_cached_page_costs_no_sql_and_an_edit_shows_at_once(app, client, make_article):
    article = make_article(title="Tiêu đề cũ")
    statements = _statements(app)
    assert "Tiêu đề cũ" in client.get("/").get_data(as_text=True)
    assert "Tiêu đề cũ" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    statements.clear()
    client.get("/")
    client.get(f"/bai-viet/{article.slug}")
    assert statements == []  # both from the cache; the article's stored count is remembered briefly
    with app.app_context():
        db.session.get(Article, article.id).title = "Tiêu đề mới"
        db.session.commit()
    assert "Tiêu đề mới" in client.get("/").get_data(as_text=True)
    assert "Tiêu đề mới" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_an_update_statement_shows_at_once(app, client, make_article):
    article = make_article(title="Tiêu đề cũ")
    client.get(f"/bai-viet/{article.slug}")
    with app.app_context():
        db.session.execute(update(Article).where(Article.id == article.id).values(title="Sửa bằng câu lệnh"))
        db.session.commit()
    assert "Sửa bằng câu lệnh" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_a_new_sidebar_link_shows_at_once(app, client, make_article):
    article = make_article()
    client.get(f"/bai-viet/{article.slug}")
    with app.app_context():
        db.session.add(Link(title="Cổng dịch vụ công", url="https://dichvucong.gov.vn", position=1))
        db.session.commit()
    assert "Cổng dịch vụ công" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_counting_views_is_not_an_edit(app, client, make_article):
    article = make_article()
    version = app.extensions["docbai"].content_version
    with app.app_context():
        before = version.current()
    client.get(f"/bai-viet/{article.slug}/xem.gif")
    flush_views(app)
    with app.app_context():
        assert version.current() == before


def test_a_rolled_back_edit_keeps_the_cache(app, make_article):
    article = make_article()
    version = app.extensions["docbai"].content_version
    with app.app_context():
        before = version.current()
        db.session.get(Article, article.id).title = "Không lưu"
        db.session.flush()
        db.session.rollback()
        assert version.current() == before


def test_the_beacon_counts_once_and_is_never_cached(app, client, make_article):
    article = make_article(views=7)
    beacon = client.get(f"/bai-viet/{article.slug}/xem.gif")
    assert beacon.status_code == 200 and beacon.mimetype == "image/gif" and beacon.data.startswith(b"GIF89a")
    assert beacon.headers["Cache-Control"] == "no-store"
    assert "ETag" not in beacon.headers
    assert "8 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert _stored_views(app, article.id) == 7  # pending, not yet written
    flush_views(app)
    assert _stored_views(app, article.id) == 8
    assert "8 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_the_beacon_of_an_unknown_or_draft_article_is_a_404(client, make_article):
    draft = make_article(status="draft")
    assert client.get("/bai-viet/khong-co/xem.gif").status_code == 404
    assert client.get(f"/bai-viet/{draft.slug}/xem.gif").status_code == 404


def test_one_readers_preferences_never_reach_anothers_page(client, make_article):
    article = make_article()
    client.set_cookie("reading", "size=large&contrast=high")
    styled = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    client.delete_cookie("reading")
    plain = client.get(f"/bai-viet/{article.slug}", headers={"Save-Data": "on"}).get_data(as_text=True)
    other = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "text-large" in styled.split(">", 2)[1] and "high-contrast" in styled.split(">", 2)[1]
    assert "text-large" not in other.split(">", 2)[1] and "high-contrast" not in other.split(">", 2)[1]
    assert 'aria-pressed="true"' in plain and 'aria-pressed="false"' in other  # the data saver's button


def test_pages_with_made_up_parameters_are_not_kept(app, client, make_article):
    make_article()
    cache = app.extensions["cache"]
    backend = next(iter(cache.values()))
    before = len(backend._cache)
    for number in range(5):
        client.get(f"/?utm_source={number}")
    assert len(backend._cache) == before


class _FakeClock:
    """time.monotonic for code under test, moved on by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for the modules that keep things for a while; the rest of the process keeps real time."""
    fake = _FakeClock()
    for module in ("services.infra.recheck", "services.infra.near_cache"):
        monkeypatch.setattr(f"{module}.time", SimpleNamespace(monotonic=fake))
    return fake


def _versions(kind, tmp_path, redis_url):
    """Two processes' views of one content version, each looking again every half second."""
    if kind == "file":
        return [FileContentVersion(tmp_path / "content-version", recheck_seconds=0.5) for _ in range(2)]
    if not redis_running():
        pytest.skip("no Redis at 127.0.0.1:6379")
    from redis import Redis

    connection = Redis.from_url(redis_url)
    connection.delete("test:content-version")
    return [RedisContentVersion(connection, "test:content-version", recheck_seconds=0.5) for _ in range(2)]


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_another_process_edit_shows_within_the_recheck_window_and_ones_own_at_once(kind, tmp_path, clock):
    here, there = _versions(kind, tmp_path, "redis://127.0.0.1:6379/12")
    first = here.current()
    assert there.current() == first
    there.bump()
    assert there.current() != first  # its own edit, at once
    clock.now += 0.4
    assert here.current() == first  # read 0.4 s ago: not looked at again yet
    clock.now += 0.2
    assert here.current() == there.current() != first
    here.bump()
    assert here.current() != there.current()
    clock.now += 0.6
    assert here.current() == there.current()


def test_an_edited_stylesheet_is_inlined_after_the_recheck_window(tmp_path, clock):
    (tmp_path / "css").mkdir()
    stylesheet = tmp_path / "css" / "site.css"
    stylesheet.write_text("body { color: black }")
    files = StaticFiles(str(tmp_path), recheck_seconds=1.0)
    before = files.fingerprint("css/site.css")
    assert files.minified_css("css/site.css") == "body{color:black}"
    stylesheet.write_text("body { color: navy }")
    clock.now += 0.9
    assert files.fingerprint("css/site.css") == before and files.minified_css("css/site.css") == "body{color:black}"
    clock.now += 0.2
    assert files.fingerprint("css/site.css") != before and files.minified_css("css/site.css") == "body{color:navy}"
    stylesheet.unlink()
    clock.now += 1.1
    assert files.fingerprint("css/site.css") is None


def test_a_web_worker_starts_without_importing_weasyprint(tmp_path):
    # WeasyPrint's import is half a second of every worker (re)start; only the PDF render processes need it.
    script = "import sys; from app import create_app; create_app(); print('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "INSTANCE_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False"]


READER_SCRIPT = """
import datetime as dt, sys
from app import create_app
from extensions import db
from models import Article, Category
from services.infra.schema import create_schema
app = create_app({"PAGE_CACHE_SECONDS": 0})
with app.app_context():
    create_schema()
    body = '<p>Một đoạn.</p><figure><img src="/media/anh.jpg" width="800" height="600" alt="Ảnh"></figure>'
    db.session.add(Article(title="Bài có ảnh", slug="bai-co-anh", body_html=body, status="published",
                           category=Category(name="Tin tức", slug="tin-tuc"),
                           published_at=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)))
    db.session.commit()
client = app.test_client()
for path in ("/bai-viet/bai-co-anh", "/", "/chuyen-muc/tin-tuc", "/tim-kiem?q=doan", "/bai-viet/bai-co-anh/xem.gif"):
    assert client.get(path).status_code == 200, path
print(" ".join(sorted(name for name in ("PIL", "weasyprint", "piper", "onnxruntime", "numpy", "lameenc")
                      if name in sys.modules)) or "none")
"""


def test_reading_pages_load_no_image_speech_or_pdf_library(tmp_path):
    # What a web worker holds is its imports: an article whose images carry their sizes, the lists, search and
    # the view beacon need none of Pillow, WeasyPrint, Piper, onnxruntime, numpy or lameenc.
    result = subprocess.run([sys.executable, "-c", READER_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "INSTANCE_PATH": str(tmp_path), "LOG_LEVEL": "warning"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["none"]


def test_the_buffer_loses_no_view_under_threads_and_writes_at_stop():
    written = []
    views = BufferedViews(lambda counts, batch=None: written.append(dict(counts)), interval=3600)

    def count():
        for _ in range(500):
            views.add(1)
            views.add(2)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert views.pending(1) == 4000 and written == []
    views.stop()
    assert written == [{1: 4000, 2: 4000}] and views.pending(1) == 0


def test_a_failed_write_keeps_the_views_for_the_next_flush():
    attempts = []

    def write(counts, batch=None):
        attempts.append(dict(counts))
        if len(attempts) == 1:
            raise ConnectionError("database down")

    views = BufferedViews(write, interval=3600)
    views.add(5)
    with pytest.raises(ConnectionError):
        views.flush()
    views.add(5)
    assert views.pending(5) == 2
    assert views.flush() == 2 and attempts[-1] == {5: 2}


def test_the_buffer_flushes_by_itself_every_interval():
    done = threading.Event()
    views = BufferedViews(lambda counts, batch=None: done.set(), interval=0.05)
    views.add(3)
    assert done.wait(5)
    views.stop()


@needs_redis
def test_redis_views_are_exact_across_counters_and_taken_once(redis):
    written = []
    first = RedisViews(redis, lambda counts, batch=None: written.append(dict(counts)), interval=3600)
    second = RedisViews(redis, lambda counts, batch=None: written.append(dict(counts)), interval=3600)
    for _ in range(150):
        first.add(9)
    for _ in range(50):
        second.add(9)
    assert first.pending(9) == second.pending(9) == 200
    assert first.flush() == 200 and second.flush() == 0
    assert written == [{9: 200}] and first.pending(9) == 0


@needs_redis
def test_a_batch_left_by_a_dead_flusher_is_written_by_the_next(redis):
    written = []
    views = RedisViews(redis, lambda counts, batch=None: written.append(dict(counts)), interval=3600)
    views.add(4)
    redis.rename(views.pending_key, views.taken_key)  # taken, then the flusher died before writing
    views.add(4)
    assert views.pending(4) == 2
    assert views.flush() == 1 and views.flush() == 1
    assert written == [{4: 1}, {4: 1}]


@needs_redis
def test_a_batch_written_but_left_in_redis_is_not_counted_twice(db_app, redis, make_article):
    from services.content.articles import add_views, stored_views

    article = make_article(views=10)

    def write(counts, batch):
        with db_app.app_context():
            add_views(counts, batch)

    views = RedisViews(redis, write, interval=3600)
    for _ in range(3):
        views.add(article.id)
    real_delete = redis.delete
    redis.delete = lambda *keys: (_ for _ in ()).throw(ConnectionError("Redis away at the DEL"))
    with pytest.raises(ConnectionError):
        views.flush()  # written to the database, then cut off from Redis before the batch was deleted
    redis.delete = real_delete
    views.add(article.id)
    assert views.flush() == 3  # the batch left in Redis: found written, deleted, not counted again
    assert views.flush() == 1
    with db_app.app_context():
        assert stored_views(article.id) == 14


@needs_redis
def test_the_redis_lock_makes_a_file_once_for_caches_that_do_not_share_a_thread_lock(tmp_path, redis, at_once):
    made = []
    key = cache_key("một lần")

    def make_in_its_own_cache():
        # Separate FileCache objects and lock directories, as on two hosts: only Redis is shared.
        cache = FileCache(tmp_path / "shared", ".mp3", 5, shared_locks=RedisLocks(redis))
        cache.lock_directory = tmp_path / f"locks-{threading.get_ident()}"

        def write(file):
            made.append(1)
            file.write(b"ID3 audio")

        return cache.get_or_create(key, write).read_bytes()

    assert at_once(8, make_in_its_own_cache) == [b"ID3 audio"] * 8
    assert made == [1]


def test_pages_and_the_beacon_still_answer_while_redis_is_away(tmp_path, monkeypatch, make_article):
    from app import create_app

    article = make_article(views=3)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    # A port nothing listens on: every Redis call fails at once.
    away = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"),
                       "REDIS_URL": "redis://127.0.0.1:9/0", "TESTING": True})
    client = away.test_client()
    assert "3 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert client.get(f"/bai-viet/{article.slug}/xem.gif").status_code == 200


@pytest.fixture
def redis_site(tmp_path, monkeypatch, redis):
    """A second app on the test's database with Redis (database 12) as its cache, queue and view counter."""
    from app import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "redis-instance"))
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"), "TESTING": True,
                       "REDIS_URL": "redis://127.0.0.1:6379/12", "TTS_ENGINE": "espeak"})


@needs_redis
def test_a_page_read_from_redis_is_kept_in_the_process_until_its_entry_expires(redis_site, make_article, monkeypatch, clock):
    article = make_article(title="Bản tin đầu tiên")
    client = redis_site.test_client()
    pages = redis_site.extensions["docbai_page_cache"]
    started = time.time()
    pages.clock = lambda: started + clock.now
    path = f"/bai-viet/{article.slug}"
    assert "Bản tin đầu tiên" in client.get(path).get_data(as_text=True)
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key: asked.append(key) or real_get(key))
    for _ in range(3):
        assert "Bản tin đầu tiên" in client.get(path).get_data(as_text=True)
    assert not [key for key in asked if key.startswith("page:")]
    # An edit makes a new key, read from Redis (and rendered) at once.
    with redis_site.app_context():
        db.session.get(Article, article.id).title = "Bản tin đã sửa"
        db.session.commit()
    assert "Bản tin đã sửa" in client.get(path).get_data(as_text=True)
    assert [key for key in asked if key.startswith("page:")]
    # The process answers from its own copy as long as the entry lives; then it asks Redis again.
    asked.clear()
    clock.now += 30
    assert "Bản tin đã sửa" in client.get(path).get_data(as_text=True)
    assert not [key for key in asked if key.startswith("page:")]
    clock.now += redis_site.config["PAGE_CACHE_SECONDS"]
    assert "Bản tin đã sửa" in client.get(path).get_data(as_text=True)
    assert [key for key in asked if key.startswith("page:")]


@needs_redis
def test_views_from_another_process_show_within_half_a_second_and_ones_own_at_once(redis_site, make_article, clock):
    article = make_article(views=5)
    client = redis_site.test_client()
    path = f"/bai-viet/{article.slug}"
    assert "5 lượt xem" in client.get(path).get_data(as_text=True)
    with redis_site.app_context():
        redis_site.extensions["docbai"].views.shared.redis.hincrby(RedisViews.PENDING, str(article.id), 2)  # another host
    assert "5 lượt xem" in client.get(path).get_data(as_text=True)
    clock.now += 0.6
    assert "7 lượt xem" in client.get(path).get_data(as_text=True)
    client.get(f"{path}/xem.gif")
    assert "8 lượt xem" in client.get(path).get_data(as_text=True)


def test_the_near_cache_forgets_after_its_seconds_and_beyond_its_size(clock):
    near = NearCache(5, max_entries=2)
    near.put("a", 1)
    near.put("b", 2)
    clock.now += 4.9
    assert near.get("a") == 1 and near.get("b") == 2
    near.put("c", 3)  # the least recently used goes
    assert near.get("a") is None and near.get("c") == 3
    clock.now += 0.2
    assert near.get("b") is None and near.get("c") == 3
    near.forget("c")
    assert near.get("c") is None
    # A value read before a forget is not kept: it may miss the change that made the process forget.
    reading_since = near.now()
    near.forget("d")
    near.put("d", 4, read_since=reading_since)
    assert near.get("d") is None
    clock.now += 0.1
    near.put("d", 5, read_since=near.now())
    assert near.get("d") == 5
