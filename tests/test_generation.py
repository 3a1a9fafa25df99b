"""Generation off the reading path: pages are answered while the job queue is saturated; a first MP3 streams
while it is made; a first PDF gets "đang chuẩn bị" with a self-replacing status; HEAD never generates; a
failure is remembered; an import queues its articles' audio and PDF; the RQ path runs on the real Redis."""
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from extensions import db
from models import Article
from services.printing.article_pdf import ArticlePdfs
from services.printing.render import PdfRenderError
from support import redis_running, silent_mp3, use_voice

ROOT = Path(__file__).resolve().parent.parent
BODY = "<p>Đoạn một của bài.</p><p>Đoạn hai của bài.</p><p>Đoạn ba của bài.</p>"
FAKE_PDF = b"%PDF-1.7\n% a stand-in\n%%EOF\n"


class GatedEngine:
    """Speaks only while its gate is open, counting calls: a stand-in for a machine busy with synthesis."""

    name = "gated"
    voice = "test"

    def __init__(self, open_=False):
        self.gate = threading.Event()
        if open_:
            self.gate.set()
        self.calls = 0
        self.mp3 = silent_mp3(0.5)

    def synthesize(self, text):
        self.calls += 1
        if not self.gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        return self.mp3


@pytest.fixture
def fast_app(app):
    """Short waits, so a request that cannot be served from the cache answers at once."""
    app.config.update(
        AUDIO_WHOLE_GRACE_SECONDS=0.05, AUDIO_FIRST_WAIT_SECONDS=0.2, SEGMENT_WAIT_SECONDS=0.2, PDF_WAIT_SECONDS=0.2
    )
    return app


def _fake_render(monkeypatch, gate=None, calls=None):
    def render(self, article):
        if calls is not None:
            calls.append(article.slug)
        if gate is not None and not gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        return FAKE_PDF

    monkeypatch.setattr(ArticlePdfs, "_render", render)


def test_pages_are_answered_while_generation_is_saturated(fast_app, make_article, monkeypatch):
    articles = [make_article(body_html=BODY) for _ in range(6)]
    engine = GatedEngine()
    use_voice(fast_app, engine)
    gate = threading.Event()
    _fake_render(monkeypatch, gate)
    jobs = fast_app.extensions["docbai"].jobs
    client = fast_app.test_client()
    try:
        cold = [client.get(f"/bai-viet/{article.slug}/nghe.mp3") for article in articles[:3]]
        cold += [client.get(f"/bai-viet/{article.slug}/in.pdf") for article in articles[3:]]
        assert [response.status_code for response in cold] == [202] * 6
        assert all("Đang chuẩn bị" in response.get_data(as_text=True) for response in cold)
        pending_before = jobs.pending_count()
        reads = [client.get(path) for path in ["/", f"/bai-viet/{articles[0].slug}", f"/bai-viet/{articles[5].slug}"] * 3]
        # Every page was answered in full while all six jobs were still queued or running.
        assert [response.status_code for response in reads] == [200] * 9
        assert all("</html>" in response.get_data(as_text=True) for response in reads)
        assert pending_before == 6 and jobs.pending_count() == 6
    finally:
        engine.gate.set()
        gate.set()
    assert jobs.drain(30)
    assert client.get(f"/bai-viet/{articles[3].slug}/in.pdf").data == FAKE_PDF


def test_a_first_mp3_streams_while_it_is_made_then_serves_ranges(app, make_article):
    article = make_article(body_html=BODY)
    engine = GatedEngine()
    use_voice(app, engine)
    app.config.update(AUDIO_WHOLE_GRACE_SECONDS=0.05, AUDIO_FIRST_WAIT_SECONDS=10)
    threading.Timer(0.3, engine.gate.set).start()
    first = app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert first.status_code == 200 and first.mimetype == "audio/mpeg"
    assert first.headers["Accept-Ranges"] == "none" and "Content-Length" not in first.headers
    assert "no-store" in first.headers["Cache-Control"]
    assert first.data == engine.mp3 * 4  # the title and three paragraphs, in order
    assert MP3(io.BytesIO(first.data)).info.length > 1.5

    again = app.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"Range": "bytes=100-"})
    assert again.status_code == 206 and again.data == first.data[100:]
    assert engine.calls == 4


@pytest.mark.parametrize("path", ["in.pdf", "nghe.mp3", "nghe/0.mp3"])
def test_head_never_generates(fast_app, make_article, monkeypatch, path):
    article = make_article(body_html=BODY)
    engine = GatedEngine(open_=True)
    use_voice(fast_app, engine)
    calls = []
    _fake_render(monkeypatch, calls=calls)
    response = fast_app.test_client().head(f"/bai-viet/{article.slug}/{path}")
    assert response.status_code == 202 and response.headers["Retry-After"] and response.data == b""
    assert fast_app.extensions["docbai"].jobs.pending_count() == 0
    assert engine.calls == 0 and calls == []


def test_a_first_pdf_gets_a_preparing_page_that_replaces_itself(fast_app, make_article, monkeypatch):
    article = make_article(body_html=BODY)
    gate = threading.Event()
    _fake_render(monkeypatch, gate)
    client = fast_app.test_client()
    page = client.get(f"/bai-viet/{article.slug}/in.pdf")
    html = page.get_data(as_text=True)
    assert page.status_code == 202 and page.headers["Retry-After"] == "3"
    assert "<html" in html and "Đang chuẩn bị tệp PDF" in html
    status_url = f"/bai-viet/{article.slug}/in.pdf/trang-thai"
    assert f'data-hx-get="{status_url}"' in html and 'data-hx-swap="outerHTML"' in html
    assert f'href="/bai-viet/{article.slug}/in.pdf"' in html  # the plain link without JavaScript

    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 202 and "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" in client.get(status_url).get_data(as_text=True)

    gate.set()
    assert fast_app.extensions["docbai"].jobs.drain(30)
    ready = client.get(status_url, headers={"HX-Request": "true"})
    text = ready.get_data(as_text=True)
    assert ready.status_code == 200 and "<html" not in text and "data-hx-get" not in text
    assert f'href="/bai-viet/{article.slug}/in.pdf"' in text
    assert client.get(f"/bai-viet/{article.slug}/in.pdf").data == FAKE_PDF


def test_a_failed_render_is_remembered_not_retried(app, make_article, monkeypatch):
    article = make_article(body_html=BODY)
    calls = []

    def broken(self, article):
        calls.append(1)
        raise PdfRenderError("WeasyPrint hỏng")

    monkeypatch.setattr(ArticlePdfs, "_render", broken)
    client = app.test_client()
    for _ in range(3):
        response = client.get(f"/bai-viet/{article.slug}/in.pdf")
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "Chưa tạo được tệp PDF" in response.get_data(as_text=True)
    assert calls == [1]


def test_a_failed_synthesis_is_remembered_not_retried(app, make_article):
    article = make_article(body_html=BODY)
    engine = GatedEngine(open_=True)

    def broken(text):
        engine.calls += 1
        from services.speech import SpeechError
        raise SpeechError("gated: no voice today")

    engine.synthesize = broken
    use_voice(app, engine)
    client = app.test_client()
    for path in ("nghe.mp3", "nghe/1.mp3", "nghe.mp3"):
        assert client.get(f"/bai-viet/{article.slug}/{path}").status_code == 503
    assert engine.calls == 1


def test_importing_queues_audio_and_pdf(app, runner, tmp_path, monkeypatch):
    _fake_render(monkeypatch)
    source = tmp_path / "bai.jsonl"
    source.write_text(json.dumps({
        "title": "Huyện họp bàn kế hoạch", "body_html": "<p>Nội dung cuộc họp.</p>",
        "published_at": "2023-11-16T14:14:00+07:00", "category": "Tin tức", "author": "Minh Anh",
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-articles", str(source)])
    assert result.exit_code == 0, result.output
    services = app.extensions["docbai"]
    with app.app_context():
        article = db.session.execute(db.select(Article)).scalar_one()
        assert services.speech.cached_whole_audio(article) is not None
        assert services.pdfs.cached(article).read_bytes() == FAKE_PDF


@pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379: the RQ path needs a real one")
def test_the_rq_path_on_redis_with_flask_worker(app, make_article, tmp_path):
    from redis import Redis

    from services.infra.jobs import QUEUE_NAMES, RedisQueue

    redis_url = "redis://127.0.0.1:6379/15"
    Redis.from_url(redis_url).flushdb()
    article = make_article(body_html=BODY)
    app.config.update(REDIS_URL=redis_url, PDF_WAIT_SECONDS=0.1, AUDIO_WHOLE_GRACE_SECONDS=0.05,
                      AUDIO_FIRST_WAIT_SECONDS=0.1)
    # A site with Redis: its queue is RQ (the factory makes it from REDIS_URL).
    from web.site_services import init_site_services
    init_site_services(app)
    jobs = app.extensions["docbai"].jobs
    assert isinstance(jobs, RedisQueue)
    client = app.test_client()
    assert client.get(f"/bai-viet/{article.slug}/in.pdf").status_code == 202
    assert client.get(f"/bai-viet/{article.slug}/nghe.mp3").status_code == 202
    assert client.get(f"/bai-viet/{article.slug}/in.pdf").status_code == 202  # queued once
    assert jobs.pending_count() == 2
    assert len(jobs.queues()[0]) == 2 and QUEUE_NAMES[0] == jobs.queues()[0].name

    environment = dict(os.environ, REDIS_URL=redis_url, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                       INSTANCE_PATH=app.instance_path, TTS_ENGINE="espeak")
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stderr
    assert jobs.pending_count() == 0
    pdf = client.get(f"/bai-viet/{article.slug}/in.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    audio = client.get(f"/bai-viet/{article.slug}/nghe.mp3")
    assert audio.status_code == 200 and audio.headers["Accept-Ranges"] == "bytes"
    assert MP3(io.BytesIO(audio.data)).info.length > 1
