"""The bucket goes away in the middle of a burst of listeners, and comes back: pages still load, audio this host
holds still plays, new audio and PDFs answer the designed 503 with Retry-After (never a 500), and nothing made
before is lost; once the bucket is back, what was refused is made."""
import concurrent.futures
import threading
import time

import pytest

from seaweed import NO_WEED, WEED, SeaweedServer
from services.speech import Narrator
from test_listening import LONG_BODY, SHORT_MP3

pytestmark = [pytest.mark.skipif(WEED is None, reason=NO_WEED), pytest.mark.timeout(300)]


class SlowEngine:
    """Voices a segment in a tenth of a second, so that a burst is still at work when the bucket goes."""

    name = "slow"
    voice = "test"

    def synthesize(self, text):
        time.sleep(0.1)
        return SHORT_MP3


@pytest.fixture
def bucket_server(tmp_path):
    server = SeaweedServer(tmp_path / "seaweed")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(build_app, tmp_path, monkeypatch, bucket_server):
    settings = {**bucket_server.settings("faults/"), "S3_TIMEOUT_SECONDS": 1.0, "S3_BREAKER_SECONDS": 1.0,
                "COLD_GENERATION_LIMIT": "1000 per minute", "GENERATION_WAITERS": 16}
    builder = build_app(tmp_path, monkeypatch, "sqlite", extra=settings)
    app = next(builder)
    speech = app.extensions["docbai"].speech
    speech.narrator = Narrator(speech.narrator.cache, [SlowEngine()])
    yield app
    next(builder, None)


def _listen(client, slug, seconds=60):
    """The article's whole MP3, asking again while it is being made; the last answer otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/bai-viet/{slug}/nghe.mp3")
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def _assert_designed_503(response):
    assert response.status_code == 503, response.status_code
    assert int(response.headers["Retry-After"]) > 0
    assert "no-store" in response.headers["Cache-Control"]
    assert 'lang="vi"' in response.get_data(as_text=True)


def test_the_bucket_goes_away_mid_burst_and_comes_back(site, make_article, bucket_server):
    client = site.test_client()
    held = make_article(body_html=LONG_BODY)
    burst = [make_article(body_html=LONG_BODY.replace("2023", str(2000 + n))) for n in range(6)]
    later = make_article(body_html=LONG_BODY.replace("2023", "1999"))
    before = _listen(client, held.slug)
    assert before.status_code == 200 and before.headers.get("Content-Length")
    objects_before = bucket_server.object_names("faults/")
    assert any(name.startswith("faults/audio/") for name in objects_before)

    # A burst of listeners of new articles; the bucket stops while their audio is being made.
    stopped = threading.Event()

    def listener(article):
        answers = []
        for _ in range(30):
            response = site.test_client().get(f"/bai-viet/{article.slug}/nghe.mp3")
            answers.append((response.status_code, response.headers.get("Retry-After")))
            if response.status_code == 200 or (stopped.is_set() and response.status_code == 503):
                break
            time.sleep(0.1)
        return answers

    with concurrent.futures.ThreadPoolExecutor(len(burst)) as pool:
        futures = [pool.submit(listener, article) for article in burst]
        time.sleep(0.5)
        bucket_server.stop()
        stopped.set()
        answers = [answer for future in futures for answer in future.result(120)]
    assert {status for status, _ in answers} <= {200, 202, 503}, answers  # never a crash page
    assert all(retry_after for status, retry_after in answers if status in (202, 503))

    # While it is away: pages load, the audio this host holds plays, new audio and PDFs get the designed 503.
    assert client.get(f"/bai-viet/{later.slug}").status_code == 200
    assert client.get("/").status_code == 200
    again = client.get(f"/bai-viet/{held.slug}/nghe.mp3")
    assert again.status_code == 200 and again.data == before.data
    assert client.get(f"/bai-viet/{held.slug}/nghe.mp3", headers={"Range": "bytes=0-99"}).status_code == 206
    _assert_designed_503(client.get(f"/bai-viet/{later.slug}/nghe.mp3"))
    _assert_designed_503(client.get(f"/bai-viet/{later.slug}/in.pdf"))

    # Back: what was there is there, and what was refused is made now (not remembered as a failure).
    bucket_server.start()
    time.sleep(1.5)  # S3_BREAKER_SECONDS: the next call is the breaker's trial
    assert set(objects_before) <= set(bucket_server.object_names("faults/"))
    for article in [*burst, later]:
        response = _listen(client, article.slug)
        if response.status_code == 503:  # a trial that raced the restart: the breaker closes on the next
            time.sleep(1.5)
            response = _listen(client, article.slug)
        assert response.status_code == 200, (article.slug, response.status_code)
    assert _listen(client, later.slug).data.startswith((b"ID3", b"\xff"))
