"""Honest under faults: a stream whose making dies is a failed transfer, never a short file sent as whole; a
"đang chuẩn bị" page that finds neither its file nor a live job queues it again; Redis frozen or away costs
pages nothing and loses no view; a cached page survives the database going away; headers."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from extensions import db
from models import Article
from services.speech import SpeechError
from services.speech.article_audio import IncompleteAudio
from support import silent_mp3, use_voice
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BODY = "".join(f"<p>Đoạn số {number} của bài viết.</p>" for number in range(1, 7))


class FailingEngine:
    """Speaks the first `good` sentences, then says no: an engine that fails in the middle of an article."""

    name = "failing"
    voice = "test"

    def __init__(self, good: int):
        self.good = good
        self.calls = 0
        self.mp3 = silent_mp3(0.5)

    def synthesize(self, text):
        self.calls += 1
        if self.calls > self.good:
            raise SpeechError("failing: the engine said no")
        time.sleep(0.05)
        return self.mp3


# --- a stream never claims to be whole when it is not ---------------------------------------------------


def test_a_stream_whose_making_fails_ends_as_a_failed_transfer(app, make_article):
    article = make_article(body_html=BODY)
    use_voice(app, FailingEngine(good=3))
    app.config.update(AUDIO_WHOLE_GRACE_SECONDS=0.01, AUDIO_FIRST_WAIT_SECONDS=10, AUDIO_NEXT_WAIT_SECONDS=10)
    response = app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3", buffered=False)
    assert response.status_code == 200 and "Content-Length" not in response.headers
    with pytest.raises(IncompleteAudio):
        b"".join(response.response)
    # Asked again, the failure is honest: a 503, not the three sentences that were made.
    again = app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert again.status_code == 503 and again.headers["Retry-After"]


def test_a_stream_whose_next_sentence_never_comes_ends_as_a_failed_transfer(app, make_article):
    article = make_article(body_html=BODY)
    speech = app.extensions["docbai"].speech
    gate = threading.Event()

    class StalledEngine(FailingEngine):
        def synthesize(self, text):
            self.calls += 1
            if self.calls > 2:
                gate.wait(30)  # a process that stopped making progress (killed and not yet retried)
            return self.mp3

    use_voice(app, StalledEngine(good=0))
    app.config.update(AUDIO_WHOLE_GRACE_SECONDS=0.01, AUDIO_FIRST_WAIT_SECONDS=10, AUDIO_NEXT_WAIT_SECONDS=0.5)
    try:
        response = app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3", buffered=False)
        with pytest.raises(IncompleteAudio):
            b"".join(response.response)
    finally:
        gate.set()
    assert app.extensions["docbai"].jobs.drain(30)
    with app.app_context():
        whole = speech.cached_whole_audio(db.session.get(Article, article.id))
    assert whole is not None  # the job went on; the next listener gets the whole file


def _espeak_shim(folder: Path, *, fail_after: int | None = None, delay: float = 0.0) -> Path:
    """A folder whose espeak-ng runs the real one, after `delay` seconds, and fails from call fail_after on."""
    folder.mkdir()
    counter = folder / "calls"
    failing = f'n=$(($(cat {counter} 2>/dev/null || echo 0) + 1)); echo $n > {counter}; ' \
              f'if [ $n -gt {fail_after} ]; then echo "refused" >&2; exit 1; fi\n' if fail_after is not None else ""
    shim = folder / "espeak-ng"
    shim.write_text(f"#!/bin/sh\n{failing}sleep {delay}\nexec {shutil.which('espeak-ng')} \"$@\"\n")
    shim.chmod(0o755)
    return folder


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed: the offline voice")
def test_through_gunicorn_a_failed_stream_is_a_transfer_the_client_sees_fail(tmp_path, make_article, app):
    import http.client

    from servers import Processes

    article = make_article(body_html=BODY)
    port = free_port()
    bin_dir = _espeak_shim(tmp_path / "bin", fail_after=3)
    environment = {
        **os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "INSTANCE_PATH": app.instance_path,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "TTS_ENGINE": "espeak", "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1", "AUDIO_WHOLE_GRACE_SECONDS": "0.01", "AUDIO_NEXT_WAIT_SECONDS": "5",
        "SECRET_KEY": "test",
    }
    environment.pop("REDIS_URL", None)
    with Processes(tmp_path / "server.log") as processes:
        server = processes.start([str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py"], environment)
        processes.wait_until_serving(server, port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", f"/bai-viet/{article.slug}/nghe.mp3")
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        connection.close()


# --- every 202 leads to the file or an honest error ------------------------------------------------------


@pytest.mark.parametrize("kind", ["nghe", "in.pdf"])
def test_a_status_page_that_finds_neither_file_nor_job_queues_it_again(app, make_article, kind, monkeypatch):
    from services.printing.article_pdf import ArticlePdfs

    gate = threading.Event()

    class GatedEngine(FailingEngine):
        def synthesize(self, text):
            gate.wait(30)
            return self.mp3

    monkeypatch.setattr(ArticlePdfs, "_render", lambda self, article: gate.wait(30) and b"%PDF-1.7\n%%EOF\n")
    use_voice(app, GatedEngine(good=100))
    article = make_article(body_html=BODY)
    jobs = app.extensions["docbai"].jobs
    client = app.test_client()
    status = f"/bai-viet/{article.slug}/{kind}/trang-thai"
    # Nobody asked for the file yet, or it was made and evicted, or its worker died: no job, no file.
    assert jobs.pending_count() == 0
    try:
        assert client.get(status).status_code == 202 and jobs.pending_count() == 1
        assert client.get(status).status_code == 202 and jobs.pending_count() == 1  # not queued twice
    finally:
        gate.set()
    assert jobs.drain(30)
    ready = client.get(status)
    assert ready.status_code == 200 and "sẵn sàng" in ready.get_data(as_text=True)


def test_a_remembered_failure_is_an_honest_503_and_is_not_queued_again(app, make_article):
    article = make_article(body_html=BODY)
    use_voice(app, FailingEngine(good=0))
    client = app.test_client()
    status = f"/bai-viet/{article.slug}/nghe/trang-thai"
    assert client.get(status).status_code == 202
    assert app.extensions["docbai"].jobs.drain(30)
    failed = client.get(status)
    assert failed.status_code == 503 and "Chưa đọc được" in failed.get_data(as_text=True)
    assert app.extensions["docbai"].jobs.pending_count() == 0


# --- Redis frozen or away --------------------------------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own on a spare port, which the test may freeze (SIGSTOP) and thaw."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield server, f"redis://127.0.0.1:{port}/0"
    finally:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(10)


def test_a_frozen_redis_is_skipped_after_one_short_wait_and_loses_no_view(tmp_path, monkeypatch, make_article, own_redis):
    import redis
    from app import create_app
    from web.site_services import flush_views

    server, url = own_redis
    article = make_article(views=10)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "redis-instance"))
    site = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"), "TESTING": True,
                       "REDIS_URL": url, "TTS_ENGINE": "espeak", "REDIS_BREAKER_SECONDS": 60})
    client = site.test_client()
    page = f"/bai-viet/{article.slug}"
    assert "10 lượt xem" in client.get(page).get_data(as_text=True)
    assert client.get("/").status_code == 200

    breaker = site.extensions["docbai"].redis.breaker
    reached, waited = [], []  # when each call to Redis started; when each one that waited on it gave up

    def watched(real):
        def call(self, *args, **kwargs):
            reached.append(time.monotonic())
            try:
                return real(self, *args, **kwargs)
            except (redis.exceptions.TimeoutError, redis.exceptions.ConnectionError):
                waited.append(time.monotonic())
                raise
        return call

    monkeypatch.setattr(redis.Redis, "execute_command", watched(redis.Redis.execute_command))
    monkeypatch.setattr(redis.client.Pipeline, "execute", watched(redis.client.Pipeline.execute))
    server.send_signal(signal.SIGSTOP)
    try:
        answers = [client.get(page) for _ in range(10)] + [client.get("/") for _ in range(5)]
        beacons = [client.get(f"{page}/xem.gif") for _ in range(7)]
        cold_audio = client.get(f"{page}/nghe.mp3")
    finally:
        server.send_signal(signal.SIGCONT)
    assert [answer.status_code for answer in answers] == [200] * 15
    assert all("lượt xem" in answer.get_data(as_text=True) for answer in answers[:10])
    assert [beacon.status_code for beacon in beacons] == [200] * 7
    # The queue cannot take the job while Redis is away: an honest 503 that says when to try again.
    assert cold_audio.status_code == 503 and cold_audio.headers["Retry-After"]
    # The calls already on their way when Redis froze waited (the request's, and perhaps the view flush's in its
    # thread) and opened the breaker; from then on no call went to Redis.
    assert 1 <= len(waited) <= 2 and all(started < min(waited) for started in reached)
    assert breaker.is_open
    # The views waited in the process and reach the database: none lost.
    with site.app_context():
        flush_views(site)
        assert db.session.execute(select(Article.views).where(Article.id == article.id)).scalar_one() == 17


def test_a_redis_that_is_down_loses_no_view(tmp_path, monkeypatch, make_article):
    from app import create_app
    from web.site_services import flush_views

    article = make_article(views=3)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    away = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"),
                       "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "TESTING": True})
    client = away.test_client()
    for _ in range(100):
        assert client.get(f"/bai-viet/{article.slug}/xem.gif").status_code == 200
    assert "103 lượt xem" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    with away.app_context():
        flush_views(away)
        assert db.session.execute(select(Article.views).where(Article.id == article.id)).scalar_one() == 103


# --- headers ---------------------------------------------------------------------------------------------


def test_every_answer_refuses_unused_features_and_https_asks_for_hsts(app, client, make_article, tmp_path, monkeypatch):
    from app import PERMISSIONS_POLICY, create_app

    article = make_article()
    for path in ("/", f"/bai-viet/{article.slug}", "/khong-co-trang-nay"):
        response = client.get(path)
        assert response.headers["Permissions-Policy"] == PERMISSIONS_POLICY
        assert "geolocation=()" in PERMISSIONS_POLICY and "camera=()" in PERMISSIONS_POLICY
        assert "Strict-Transport-Security" not in response.headers  # served over plain HTTP here
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "https"))
    secure = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SITE_URL": "https://doc.example.vn"})
    hsts = secure.test_client().get("/").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_nginx_sends_the_same_permissions_as_the_app():
    import re

    from app import HSTS, PERMISSIONS_POLICY

    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"map \$host \$docbai_permissions \{\s*default \"([^\"]+)\";", config).group(1) == PERMISSIONS_POLICY
    assert re.search(r"map \$host \$docbai_hsts \{\s*default \"([^\"]+)\";", config).group(1) == HSTS


def test_a_poll_reuses_its_connection_gunicorn_keeps_it_longer_than_the_poll_interval():
    import ast

    from web.generation import PREPARING_RETRY_SECONDS

    # Read, not run: running gunicorn's configuration would put this process's metrics in files.
    module = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    keepalive = next(node.value.value for node in module.body if isinstance(node, ast.Assign)
                     and [target.id for target in node.targets] == ["keepalive"])
    assert keepalive > PREPARING_RETRY_SECONDS + 1


def test_with_redis_down_the_lexicon_keeps_its_table_and_an_editors_change_is_kept(tmp_path, monkeypatch, make_article):
    from app import create_app
    from services.vietnamese.lexicon import Entry

    article = make_article(body_html="<p>Hội PTNNX xã họp.</p>")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    away = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "test.db"),
                       "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "TESTING": True, "TTS_ENGINE": "espeak"})
    client = away.test_client()
    # Speech goes on with the table in force (the version token cannot be read): the list of sentences answers.
    assert client.get(f"/bai-viet/{article.slug}/nghe.json").status_code == 200
    lexicon = away.extensions["docbai"].speech.lexicon
    saved = [Entry("PTNNX", "phụ nữ nông thôn xã")]
    lexicon.load_entries = lambda: saved  # as if an editor's entry had just been committed
    with away.app_context():
        lexicon.changed()  # cannot tell other processes; this one speaks the entry at once
        assert "phụ nữ nông thôn xã" in " ".join(away.extensions["docbai"].speech.segments(article))
