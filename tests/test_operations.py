"""For operators: /healthz, /readyz (each failing part named, never hanging), /metrics (closed without the token,
counting by endpoint, cache, jobs, engines, views and disk), and log lines that carry a request's id into the
jobs it queued, as text or JSON."""
import datetime as dt
import http.client
import json
import signal
import socket
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.infra import health
from services.infra.jobs import Job
from services.infra.metrics import FilesCollector, fold_dead_processes
from services.speech import CircuitBreaker, SpeechError
from support import redis_running, silent_mp3, use_voice

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "s3cret-token-for-the-scraper"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}  # the metrics token also shows why /readyz failed
REDIS_URL = "redis://127.0.0.1:6379/5"  # a database number of these tests' own, flushed before and after
BODY = "<p>Ngày 16/11/2023, UBND huyện họp bàn kế hoạch năm 2024.</p>"


class BrokenEngine:
    name = "broken"
    voice = "none"

    def synthesize(self, text):
        raise SpeechError("broken: no voice today")


class SilentEngine:
    name = "silent"
    voice = "test"

    def synthesize(self, text):
        return silent_mp3(0.2)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of an exposition by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.data[:300]
    return samples(response.get_data(as_text=True))


@pytest.fixture
def scraped_app(app):
    app.config["METRICS_TOKEN"] = TOKEN
    return app


# Liveness and readiness


def test_healthz_answers_a_tiny_plain_ok_that_nothing_keeps(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data == b"ok\n" and response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_without_redis_checks_the_database_the_folders_and_the_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "queue": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_a_folder_that_cannot_be_written(app, client, capsys):
    app.config["METRICS_TOKEN"] = TOKEN
    folder = Path(app.config["PDF_CACHE_DIR"])
    shutil.rmtree(folder)
    folder.write_text("a file where the PDF cache should be")  # root can write anywhere, but not into a file
    response = client.get("/readyz", headers=AUTHORIZED)
    assert response.status_code == 503
    assert response.json["status"] == "fail"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["storage"].startswith(f"fail: {folder}:")
    # Anyone else learns which part failed, not where the folders are; the log says it all.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "fail", "checks": {"database": "ok", "storage": "fail", "queue": "ok"}}
    assert f"Not ready, storage: fail: {folder}:" in capsys.readouterr().err


def test_readyz_names_a_database_that_does_not_answer(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "TTS_ENGINE": "espeak", "METRICS_TOKEN": TOKEN,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-folder/docbai.db"})
    response = app.test_client().get("/readyz", headers=AUTHORIZED)
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["database"] == "fail: unable to open database file"  # the driver's words, not SQLAlchemy's
    assert checks["storage"] == "ok" and checks["queue"] == "ok"


def test_readyz_fails_while_the_generation_queue_is_full(app, client):
    jobs = app.extensions["docbai"].jobs
    gate = threading.Event()
    jobs.max_pending = app.config["GENERATION_QUEUE_MAX"] = 1
    app.config["METRICS_TOKEN"] = TOKEN
    jobs._run = lambda job: gate.wait(30)
    try:
        jobs.enqueue(Job("held", "web.background:make_article_audio", (1,)))
        response = client.get("/readyz", headers=AUTHORIZED)
        assert response.status_code == 503
        assert response.json["checks"]["queue"] == "fail: 1 jobs queued, the limit is 1"
    finally:
        gate.set()
        assert jobs.drain(30)
    assert client.get("/readyz").status_code == 200


def test_a_check_that_hangs_fails_in_time_and_is_not_started_again():
    release = threading.Event()
    started = []

    def hangs():
        started.append(1)
        release.wait(30)

    checks = health.ReadinessChecks(timeout=0.2)
    try:
        for _ in range(3):
            assert checks.run({"hangs": hangs, "fine": lambda: None}) == {
                "hangs": "fail: no answer within 0.2 s", "fine": "ok"
            }
        assert started == [1]  # one thread held by the hung check, not one per probe
    finally:
        release.set()


@pytest.mark.parametrize(
    "pending, limit, expected",
    [(0, 500, None), (499, 500, None), (500, 500, "500 jobs queued, the limit is 500"), (7, 5, "7 jobs queued, the limit is 5")],
)
def test_the_queue_check_fails_at_its_limit(pending, limit, expected):
    if expected is None:
        health.check_queue(pending, limit)
    else:
        with pytest.raises(health.CheckFailed, match=expected):
            health.check_queue(pending, limit)


def test_the_worker_check_wants_a_recent_heartbeat():
    now = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(health.CheckFailed, match="no `flask worker`"):
        health.check_worker_heartbeat([], now)
    with pytest.raises(health.CheckFailed, match="no `flask worker`"):
        health.check_worker_heartbeat([None], now)
    with pytest.raises(health.CheckFailed, match="last worker heartbeat 600 s ago"):
        health.check_worker_heartbeat([now - dt.timedelta(seconds=600)], now)
    # The newest heartbeat counts; RQ gives naive UTC times.
    health.check_worker_heartbeat([now - dt.timedelta(seconds=600), (now - dt.timedelta(seconds=30)).replace(tzinfo=None)], now)


@pytest.fixture
def redis_app(app):
    """The app with Redis (its own database number): RQ queue, views and page cache in Redis."""
    if not redis_running():
        pytest.skip("no Redis at 127.0.0.1:6379")
    from redis import Redis

    from web.page_cache import init_page_cache
    from web.site_services import init_site_services

    Redis.from_url(REDIS_URL).flushdb()
    # Views wait in Redis until a test looks at them (no periodic flush during a test).
    app.config.update(REDIS_URL=REDIS_URL, METRICS_TOKEN=TOKEN, VIEW_FLUSH_SECONDS=3600)
    init_site_services(app)
    init_page_cache(app)
    yield app
    Redis.from_url(REDIS_URL).flushdb()


def test_readyz_with_redis_wants_a_worker_and_passes_once_one_beats(redis_app):
    from rq import Worker

    client = redis_app.test_client()
    response = client.get("/readyz", headers=AUTHORIZED)
    assert response.status_code == 503
    assert response.json["checks"] == {
        "database": "ok", "storage": "ok", "queue": "ok", "redis": "ok",
        "worker": "fail: no `flask worker` is listening to the queue",
    }
    queues = list(redis_app.extensions["docbai"].jobs.queues().values())
    worker = Worker(queues, connection=queues[0].connection)
    worker.register_birth()
    worker.heartbeat()
    try:
        response = client.get("/readyz")
        assert response.status_code == 200, response.json
        assert response.json["checks"]["worker"] == "ok"
    finally:
        worker.register_death()


def test_readyz_names_redis_when_it_is_away(app):
    from web.site_services import init_site_services

    app.config.update(REDIS_URL="redis://127.0.0.1:9/0", METRICS_TOKEN=TOKEN)  # the discard port: no one there
    init_site_services(app)
    response = app.test_client().get("/readyz", headers=AUTHORIZED)
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["database"] == "ok" and checks["storage"] == "ok"
    assert checks["redis"].startswith("fail: ") and checks["worker"].startswith("fail: ")


# Metrics


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-of-the-same-size!", f"Basic {TOKEN}", "Bearer "])
def test_metrics_are_an_unknown_page_without_the_token(scraped_app, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = scraped_app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
    assert "docbai_" not in response.get_data(as_text=True)


def test_metrics_are_an_unknown_page_when_no_token_is_set(client):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_not_by_path(scraped_app, make_article):
    first, second = make_article(), make_article()
    client = scraped_app.test_client()
    for slug in (first.slug, second.slug, first.slug):
        assert client.get(f"/bai-viet/{slug}").status_code == 200
    assert client.get("/khong-co-trang-nay-1").status_code == 404
    assert client.get("/khong-co-trang-nay-2").status_code == 404
    metrics = scrape(client)
    assert metrics[("docbai_http_requests_total", (("endpoint", "reading.article"), ("status", "200")))] == 3
    assert metrics[("docbai_http_requests_total", (("endpoint", "none"), ("status", "404")))] == 2
    assert metrics[("docbai_http_request_duration_seconds_count", (("endpoint", "reading.article"),))] == 3
    assert not any("khong-co" in str(key) or first.slug in str(key) for key in metrics)


def test_page_cache_hits_and_misses_are_counted(scraped_app, make_article):
    article = make_article()
    client = scraped_app.test_client()
    for _ in range(3):
        client.get(f"/bai-viet/{article.slug}")
    client.get(f"/bai-viet/{article.slug}?khac=1")  # a parameter the cache does not key by
    metrics = scrape(client)
    assert metrics[("docbai_page_cache_lookups_total", (("result", "miss"),))] == 1
    assert metrics[("docbai_page_cache_lookups_total", (("result", "hit"),))] == 2
    assert metrics[("docbai_page_cache_lookups_total", (("result", "bypass"),))] == 1


def test_jobs_are_timed_by_kind_and_outcome(scraped_app, make_article):
    from web.background import make_article_audio, make_article_pdf

    article = make_article()
    use_voice(scraped_app, BrokenEngine())
    with scraped_app.app_context():
        make_article_audio(article.id)
        make_article_audio(10_000)  # no such article
        make_article_pdf(10_000)
    metrics = scrape(scraped_app.test_client())
    count = "docbai_generation_job_duration_seconds_count"
    assert metrics[(count, (("kind", "audio"), ("outcome", "failed")))] == 1
    assert metrics[(count, (("kind", "audio"), ("outcome", "skipped")))] == 1
    assert metrics[(count, (("kind", "pdf"), ("outcome", "skipped")))] == 1


def test_an_engine_passed_over_and_its_open_breaker_are_shown(scraped_app):
    narrator = scraped_app.extensions["docbai"].speech.narrator
    broken = BrokenEngine()
    narrator.engines = [broken, SilentEngine()]
    narrator.breakers = {broken.name: CircuitBreaker(cooldown_seconds=300)}
    before = time.time()
    assert narrator.synthesize("Xin chào bà con.").engine == "silent"
    assert narrator.synthesize("Xin chào lần nữa.").engine == "silent"  # skipped while cooling down
    metrics = scrape(scraped_app.test_client())
    assert metrics[("docbai_speech_fallbacks_total", (("engine", "broken"),))] == 2
    open_until = metrics[("docbai_speech_breaker_open_until_timestamp_seconds", (("engine", "broken"),))]
    assert before + 290 < open_until < time.time() + 310


def test_cache_disk_use_and_budget_are_shown(scraped_app):
    from services.infra.files import FileCache

    cache = scraped_app.extensions["docbai"].speech.narrator.cache
    # Made by another process (its own FileCache on the same folder): this one has no estimate and counts.
    other_process = FileCache(cache.directory, cache.suffix, 30)
    other_process.get_or_create("ab" + "0" * 62, lambda file: file.write(b"x" * 1234))
    metrics = scrape(scraped_app.test_client())
    assert metrics[("docbai_cache_used_bytes", (("cache", "audio"),))] == 1234
    assert metrics[("docbai_cache_budget_bytes", (("cache", "audio"),))] == scraped_app.config["AUDIO_CACHE_MAX_BYTES"]
    assert metrics[("docbai_cache_used_bytes", (("cache", "pdf"),))] == 0


def test_views_waiting_after_a_failed_flush_are_shown(scraped_app, monkeypatch):
    from services.content import views as view_buffers

    metrics = scraped_app.extensions["docbai_metrics"]
    flushed = threading.Event()
    failures = []

    def write(counts, batch=None):
        failures.append(dict(counts))
        raise OSError("database away")

    def after(succeeded):
        metrics.views_flushed(succeeded, counter.pending_total())
        flushed.set()

    monkeypatch.setattr(view_buffers.log, "exception", lambda *args, **kwargs: None)
    counter = view_buffers.BufferedViews(write, interval=0.01, after_flush=after)
    counter.add(7)
    counter.add(7)
    assert flushed.wait(30)
    counter._periodic.stop()
    values = scrape(scraped_app.test_client())
    assert values[("docbai_views_pending", ())] == 2
    assert values[("docbai_views_flush_failures_total", ())] >= 1


def test_with_redis_the_queue_and_the_views_are_read_there(redis_app, make_article):
    from redis import Redis

    article = make_article()
    client = redis_app.test_client()
    services = redis_app.extensions["docbai"]
    services.views.count(article.id)
    services.views.count(article.id)
    services.jobs.enqueue(Job("audio-test", "web.background:make_article_audio", (article.id,)))
    values = scrape(client)
    assert values[("docbai_generation_jobs_pending", ())] == 1
    assert values[("docbai_views_pending", ())] == 2
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert text.count("# TYPE docbai_views_pending ") == 1  # not this process's own gauge beside it
    Redis.from_url(REDIS_URL).flushdb()


def test_what_stopped_processes_counted_is_folded_and_kept(tmp_path):
    folder = tmp_path / "metrics"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from services.infra.metrics import use_files
        use_files({str(folder)!r})
        from prometheus_client import Counter, Gauge
        Counter("docbai_test_things", "Things.", ["kind"]).labels("a").inc(int(sys.argv[1]))
        Gauge("docbai_test_live", "Live.", multiprocess_mode="livesum").set(5)
    """)
    for amount in (3, 4):
        subprocess.run([sys.executable, "-c", script, str(amount)], check=True, timeout=60)
    assert len(list(folder.glob("counter_*.db"))) == 2
    fold_dead_processes(str(folder))
    assert sorted(path.name for path in folder.glob("*.db")) == ["counter_archive.db"]
    subprocess.run([sys.executable, "-c", script, "5"], check=True, timeout=60)
    fold_dead_processes(str(folder))
    values = {
        (sample.name, tuple(sample.labels.items())): sample.value
        for family in FilesCollector([str(folder)]).collect() for sample in family.samples
    }
    assert values == {("docbai_test_things_total", (("kind", "a"),)): 12}  # the live gauge went with its process


# Log lines


def _lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if line.strip()]


def test_a_request_id_is_kept_or_made_and_sent_back(client, capsys):
    response = client.get("/", headers={"X-Request-ID": "edge-7f3a.9"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.9"
    made = client.get("/", headers={"X-Request-ID": "two words <script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/").headers["X-Request-ID"] not in (made, "edge-7f3a.9")
    lines = _lines(capsys.readouterr().err)
    assert any("[edge-7f3a.9] docbai.requests:" in line and '"GET /" 200' in line for line in lines)
    assert any(f"[{made}] docbai.requests:" in line for line in lines)


def test_probe_lines_are_left_out_at_info(client, capsys):
    client.get("/healthz")
    client.get("/readyz")
    client.get("/")
    lines = _lines(capsys.readouterr().err)
    assert any('"GET /" 200' in line for line in lines)
    assert not any("healthz" in line or "readyz" in line for line in lines)


def test_the_jobs_a_request_queued_log_with_its_id(app, make_article, capsys):
    article = make_article(body_html=BODY)
    use_voice(app, BrokenEngine())
    app.config.update(AUDIO_WHOLE_GRACE_SECONDS=0.05, AUDIO_FIRST_WAIT_SECONDS=0.1)
    client = app.test_client()
    client.get(f"/bai-viet/{article.slug}/nghe.mp3", headers={"X-Request-ID": "listener-42"})
    assert app.extensions["docbai"].jobs.drain(30)
    lines = _lines(capsys.readouterr().err)
    assert any("[listener-42] docbai.requests:" in line and "nghe.mp3" in line for line in lines), lines
    job_lines = [line for line in lines if f"No audio for {article.slug}" in line]
    assert job_lines and all("[listener-42]" in line for line in job_lines), lines


def test_json_lines_parse_one_by_one(tmp_path, monkeypatch, build_app, capsys):
    monkeypatch.setenv("LOG_FORMAT", "json")
    making = build_app(tmp_path, monkeypatch, "sqlite")
    app = next(making)
    try:
        app.test_client().get("/", headers={"X-Request-ID": "json-1"})
        with app.app_context():
            app.logger.warning('Một dòng có "ngoặc"\nvà xuống dòng')
    finally:
        next(making, None)
    records = [json.loads(line) for line in _lines(capsys.readouterr().err)]
    request_line = next(record for record in records if record["logger"] == "docbai.requests")
    assert request_line["request_id"] == "json-1" and request_line["status"] == 200
    assert request_line["endpoint"] == "reading.index" and request_line["path"] == "/"
    assert request_line["level"] == "INFO" and "time" in request_line
    assert any(record["message"] == 'Một dòng có "ngoặc"\nvà xuống dòng' for record in records)


@pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379: the RQ path needs a real one")
def test_flask_worker_logs_with_the_request_id_and_records_job_metrics(redis_app, tmp_path):
    jobs = redis_app.extensions["docbai"].jobs
    assert jobs.enqueue(Job("audio-404-x", "web.background:make_article_audio", (404,), request_id="req-rq-9"))
    environment = dict(os.environ, REDIS_URL=REDIS_URL, DATABASE_URL=redis_app.config["SQLALCHEMY_DATABASE_URI"],
                       INSTANCE_PATH=redis_app.instance_path, TTS_ENGINE="espeak",
                       METRICS_DIR=str(tmp_path / "metrics"))
    for _ in range(2):  # the second run folds what the first one's processes recorded
        worker = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"], cwd=ROOT,
                                env=environment, capture_output=True, text=True, timeout=180)
        assert worker.returncode == 0, worker.stderr
        if _ == 0:
            job_lines = [line for line in worker.stderr.splitlines() if "audio-404-x" in line and "Job OK" in line]
            assert job_lines and all("[req-rq-9]" in line for line in job_lines), worker.stderr
            names = sorted(path.name for path in (tmp_path / "metrics" / "worker").glob("*.db"))
            assert names and all(re.fullmatch(r"\w+_\d+-jobs\.db", name) for name in names), names
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in FilesCollector([str(tmp_path / "metrics" / "worker")]).collect() for sample in family.samples
    }
    assert values[("docbai_generation_job_duration_seconds_count", (("kind", "audio"), ("outcome", "skipped")))] == 1
    assert [path.name for path in (tmp_path / "metrics" / "worker").glob("histogram_*.db")] == ["histogram_archive.db"]


# Under gunicorn


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_workers_add_up_in_metrics_and_log_one_json_line_per_request(tmp_path):
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    # Two workers, each replaced after 10 requests: the 40 below are served by several processes, most of them
    # gone by the time of the scrape.
    environment.update(INSTANCE_PATH=str(tmp_path / "instance"), METRICS_TOKEN=TOKEN, WEB_CONCURRENCY="2",
                       WEB_MAX_REQUESTS="10", LOG_FORMAT="json", LOG_LEVEL="info", BIND=f"127.0.0.1:{port}")
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "init-db"], cwd=ROOT, env=environment, check=True,
                   capture_output=True, timeout=120)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                                  env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
        for number in range(40):
            assert _get(port, "/", {"X-Request-ID": f"reader-{number}"})[0] == 200
        status, text = _get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, text[:500]
        values = samples(text)
        assert values[("docbai_http_requests_total", (("endpoint", "reading.index"), ("status", "200")))] == 40
        # Histograms folded bucket by bucket: not one request counted twice in the cumulative buckets.
        assert values[("docbai_http_request_duration_seconds_count", (("endpoint", "reading.index"),))] == 40
        assert values[("docbai_http_request_duration_seconds_bucket", (("endpoint", "reading.index"), ("le", "+Inf")))] == 40
        for headers in ({}, {"Authorization": "Bearer not-the-token-at-all"}):
            status, text = _get(port, "/metrics", headers)
            assert status == 404 and "Không tìm thấy trang" in text
        # What stopped workers counted is in the archive; only running processes have files of their own.
        for path in (tmp_path / "instance" / "metrics" / "web").glob("*.db"):
            identity = path.stem.rsplit("_", 1)[1]
            assert identity == "archive" or os.path.exists(f"/proc/{identity}"), path.name
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    request_ids = [record["request_id"] for record in records if record.get("endpoint") == "reading.index"]
    assert sorted(request_ids) == sorted(f"reader-{number}" for number in range(40))  # one line each, no access log
    assert not any(record.get("endpoint") == "operations.healthz" for record in records)
    boots = [record for record in records if record["message"].startswith("Booting worker")]
    assert len(boots) >= 4 and {record["logger"] for record in boots} == {"gunicorn.error"}
