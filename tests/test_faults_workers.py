"""Faults with real workers (`flask worker` on Redis, as deployed): a work horse killed mid-article is retried
and its file made whole within seconds, its listener never handed a cut-off file; one job runs once however
many workers race for it; a cached page outlives the database going away (PostgreSQL through a proxy the
test cuts)."""
from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from mutagen.mp3 import MP3

from extensions import cache, db
from models import Article
from servers import Processes, descendants
from support import redis_running

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/10"
LONG_BODY = "".join(f"<p>Đoạn thứ {number} của bài viết dài về mùa vụ ở xã Nà Hẩu.</p>" for number in range(1, 25))
needs_redis = pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379: the workers need one")
needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")


@pytest.fixture
def redis_db():
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def _slow_voice(folder: Path, seconds: float) -> Path:
    folder.mkdir()
    shim = folder / "espeak-ng"
    shim.write_text(f"#!/bin/sh\nsleep {seconds}\nexec {shutil.which('espeak-ng')} \"$@\"\n")
    shim.chmod(0o755)
    return folder


def _site_with_redis(app):
    from web.site_services import init_site_services

    app.config.update(REDIS_URL=REDIS_URL, AUDIO_WHOLE_GRACE_SECONDS=0.05, AUDIO_FIRST_WAIT_SECONDS=60,
                      AUDIO_NEXT_WAIT_SECONDS=30)
    init_site_services(app)
    return app


def whole_job_id(site, article) -> str:
    from web.background import audio_job

    with site.app_context():
        return audio_job(db.session.get(Article, article.id)).id


def _worker_environment(app, **extra) -> dict:
    environment = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "INSTANCE_PATH": app.instance_path, "TTS_ENGINE": "espeak", "SECRET_KEY": "test", **extra}
    return environment


@needs_redis
@needs_espeak
def test_a_killed_work_horse_is_retried_and_its_listener_never_gets_a_cut_off_file(app, make_article, redis_db, tmp_path):
    article = make_article(body_html=LONG_BODY)
    site = _site_with_redis(app)
    speech = site.extensions["docbai"].speech
    bin_dir = _slow_voice(tmp_path / "bin", 0.25)
    environment = _worker_environment(site, PATH=f"{bin_dir}:{os.environ['PATH']}")
    listened: dict = {}

    def listen():
        response = site.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3", buffered=False)
        listened["status"] = response.status_code
        try:
            listened["body"] = b"".join(response.response)
        except Exception as error:  # a failed transfer is an honest answer too
            listened["error"] = error

    with Processes(tmp_path / "workers.log") as processes:
        worker = processes.start([sys.executable, "-m", "flask", "--app", "app", "worker"], environment)
        listener = threading.Thread(target=listen)
        listener.start()
        # Kill the work horse (RQ's forked child) once it has made a few of the article's 25 segments.
        deadline = time.monotonic() + 60
        while len(list(Path(site.config["AUDIO_CACHE_DIR"]).rglob("*.mp3"))) < 4:
            assert time.monotonic() < deadline, processes.log_tail()
            time.sleep(0.05)
        horses = [child for child in descendants(worker.pid) if "espeak" not in " ".join(child.cmdline())]
        assert horses, "no work horse found"
        for horse in horses:
            horse.kill()
        killed_at = time.monotonic()
        listener.join(120)
        assert not listener.is_alive()
        with site.app_context():
            whole = speech.cached_whole_audio(db.session.get(Article, article.id))
        assert whole is not None, processes.log_tail()
        recovered_seconds = time.monotonic() - killed_at
        log = processes.log_tail(20000)
    whole_bytes = b"".join(path.read_bytes() for path in whole.paths)
    assert listened["status"] == 200
    # Whole, or a failed transfer: never a short file that ends as if it were complete.
    assert "error" in listened or listened["body"] == whole_bytes
    assert "Work-horse terminated unexpectedly" in log
    assert log.count(f"docbai-urgent: services.infra.jobs.run_claimed('{whole_job_id(site, article)}'") == 2  # killed, retried
    assert MP3(whole.paths[0]).info.length > 0
    assert recovered_seconds < 90  # generous: bench/faults_bench.py measures it (target < 30 s)


@needs_redis
def test_a_job_queued_at_once_by_two_hosts_is_queued_once(app, redis_db, at_once):
    from redis import Redis

    from services.infra.jobs import Job, RedisQueue

    job = Job("race-" + uuid.uuid4().hex[:8], "tests.support:note_run", ("/dev/null",))
    hosts = [RedisQueue(Redis.from_url(REDIS_URL), 100) for _ in range(8)]
    results = at_once(8, lambda: hosts[threading.get_ident() % 8].enqueue(job))
    assert results.count(True) == 1
    assert sum(len(queue) for queue in hosts[0].queues().values()) == 1


@needs_redis
def test_one_job_runs_once_when_two_workers_race_for_it(app, redis_db, tmp_path):
    from redis import Redis

    from services.infra.jobs import Job, RedisQueue

    site = _site_with_redis(app)
    runs = tmp_path / "runs"
    job = Job("race-" + uuid.uuid4().hex[:8], "tests.support:note_run", (str(runs), 3.0))
    queue = RedisQueue(Redis.from_url(REDIS_URL), 100)
    assert queue.enqueue(job)
    # RQ handing the same job out twice (the race the claim exists for): its id twice on the queue.
    rq_queue = queue.queues()[job.priority]
    redis_db.rpush(rq_queue.key, job.id)
    with Processes(tmp_path / "workers.log") as processes:
        workers = [processes.start([sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"],
                                   _worker_environment(site)) for _ in range(2)]
        for worker in workers:
            worker.wait(120)
        log = processes.log_tail(20000)
    assert log.count(f"docbai-urgent: services.infra.jobs.run_claimed('{job.id}'") == 2  # handed out twice
    assert len(runs.read_text().splitlines()) == 1, log  # run once
    assert "being run by another worker" in log or "was run by another worker already" in log
    assert "Traceback" not in log and "InvalidJobOperation" not in log


class _Proxy:
    """A TCP proxy to PostgreSQL that the test can cut and restore: the database going away and coming back."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self.connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """The database stops: open connections drop, new ones are refused."""
        self.open = False
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connections.clear()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="TEST_DATABASE_URL is not set: the database-away test stops a PostgreSQL (CI sets it)")
def test_a_cached_page_is_served_while_the_database_is_away(tmp_path, monkeypatch):
    from app import create_app, database_url_with_driver
    from services.infra.schema import create_schema
    from web.site_services import flush_views

    # Not `from conftest import`: that gives whichever conftest.py pytest loaded last (tests/browser has one).
    url = sa.engine.make_url(database_url_with_driver(os.environ["TEST_DATABASE_URL"]))
    proxy = _Proxy((url.host or "127.0.0.1", url.port or 5432))
    schema = "test_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    site = create_app({
        "TESTING": True, "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "connect_args": {"options": f"-csearch_path={schema},public", "connect_timeout": 2}},
    })
    try:
        with site.app_context():
            create_schema()
            import datetime as dt

            from models import Category

            category = Category(name="Tin tức", slug="tin-tuc")
            article = Article(title="Đường về bản đã thông", slug="duong-ve-ban", summary="", author="Minh Anh",
                              body_html="<p>Ngày 16/11/2023, đường về bản đã thông xe.</p>", status="published",
                              published_at=dt.datetime(2023, 11, 16, tzinfo=dt.timezone.utc), views=41,
                              category=category)
            db.session.add(article)
            db.session.commit()
            article_id = article.id
        client = site.test_client()
        page = "/bai-viet/duong-ve-ban"
        assert "41 lượt xem" in client.get(page).get_data(as_text=True)
        assert client.get("/").status_code == 200
        assert client.get(f"{page}/xem.gif").status_code == 200

        proxy.cut()
        with site.app_context():
            cache.delete(f"stored-views:{article_id}")  # the remembered count expired: the database is asked
            db.engine.dispose()
        away = client.get(page)
        assert away.status_code == 200, away.get_data(as_text=True)[:500]
        assert "42 lượt xem" in away.get_data(as_text=True)  # the count it last knew, and its own view
        assert client.get("/").status_code == 200
        assert client.get(f"{page}/xem.gif").status_code == 200  # counted, waiting for the database
        with site.app_context():
            with pytest.raises(sa.exc.OperationalError):
                flush_views(site)

        proxy.restore()
        with site.app_context():
            db.engine.dispose()
            flush_views(site)
            assert db.session.execute(sa.select(Article.views).where(Article.id == article_id)).scalar_one() == 43
    finally:
        proxy.close()
        with site.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
