"""Two app instances as on two hosts: separate instance folders, one PostgreSQL, one Redis, and shared storage:
one directory (STORAGE_DIR), then one bucket (STORAGE_BACKEND=s3, SeaweedFS), each host keeping its own local
copy. Each runs under the repo's gunicorn.conf.py on loopback; `flask worker` processes of either instance take
the queued jobs."""
import concurrent.futures
import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app, database_url_with_driver
from extensions import db
from models import Article, Category
from services.infra.schema import create_schema
from servers import ROOT, Processes, free_port, http_get
from support import redis_running

POSTGRESQL_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number of this test's own, flushed before and after
BODY = ("<p>Ngày 16/11/2023, UBND huyện Đồng Lâm họp bàn kế hoạch phát triển kinh tế năm 2024.</p>"
        "<p>Hội nghị thống nhất xây dựng thêm 12 phòng học và sửa 3,5 km đường liên xã trước mùa mưa.</p>")


pytestmark = [
    pytest.mark.skipif(not POSTGRESQL_URL, reason="TEST_DATABASE_URL is not set: two hosts share PostgreSQL"),
    pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379: two hosts share Redis"),
    pytest.mark.timeout(600),
]


class Host:
    """One instance: its folder, its environment, its gunicorn and the workers it starts."""

    def __init__(self, name: str, base: Path, environment: dict):
        self.name = name
        self.instance = base / name
        self.instance.mkdir()
        # The cold-generation limit counts per client address, and every request here comes from loopback.
        (self.instance / "config.py").write_text('COLD_GENERATION_LIMIT = "1000 per minute"\nGENERATION_WAITERS = 16\n')
        self.environment = {**environment, "INSTANCE_PATH": str(self.instance)}
        self.port = free_port()
        self.processes = Processes(base / f"{name}.log")

    def start_server(self) -> None:
        """gunicorn with the repo's configuration, two workers; returns once it answers."""
        environment = {**self.environment, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2"}
        server = self.processes.start([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")],
                                      environment)
        self.processes.wait_until_serving(server, self.port)

    def start_worker(self) -> subprocess.Popen:
        """A `flask worker` of this instance, waiting for jobs."""
        return self.processes.start([sys.executable, "-m", "flask", "--app", "app", "worker"], self.environment)

    def run_worker_burst(self) -> subprocess.CompletedProcess:
        """`flask worker --burst`: every queued job, then exit."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"], cwd=ROOT,
                              env=self.environment, capture_output=True, text=True, timeout=240)

    def stop(self, process: subprocess.Popen) -> None:
        """Stop one process this host started, gracefully if it will."""
        self.processes.stop(process)

    def stop_all(self) -> None:
        self.processes.stop_all()


@pytest.fixture(scope="module", params=["shared-folder", "s3"])
def two_hosts(request, tmp_path_factory):
    """Hosts a and b, started, with one published article, sharing a folder or a bucket; everything is removed
    afterwards."""
    from redis import Redis

    base = tmp_path_factory.mktemp("two-hosts")
    schema = "test_hosts_" + uuid.uuid4().hex[:10]
    url = database_url_with_driver(POSTGRESQL_URL)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    # Every synthesis on either host goes through this espeak-ng, which notes the text it was given.
    bin_dir = base / "bin"
    bin_dir.mkdir()
    syntheses = base / "syntheses.log"
    wrapper = bin_dir / "espeak-ng"
    wrapper.write_text(f'#!/bin/sh\ntext=$(cat)\nprintf "%s\\n" "$text" | md5sum >> {syntheses}\n'
                       f'printf "%s" "$text" | exec {shutil.which("espeak-ng")} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    storage = base / "shared"
    if request.param == "s3":
        bucket = request.getfixturevalue("seaweed")
        prefix = f"hosts-{uuid.uuid4().hex[:8]}/"
        # No shared folder: each host keeps its local copy in its own instance folder.
        shared = {**bucket.settings(prefix), "STORAGE_DIR": ""}

        def stored(folder: str, suffix: str) -> list[str]:
            return [name for name in bucket.object_names(f"{prefix}{folder}/") if name.endswith(suffix)]
    else:
        shared = {"STORAGE_DIR": str(storage)}

        def stored(folder: str, suffix: str) -> list[str]:
            return [str(path) for path in (storage / "cache" / folder).rglob(f"*{suffix}")]
    environment = {
        **os.environ,
        "DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}%2Cpublic",
        "REDIS_URL": REDIS_URL,
        **shared,
        "TTS_ENGINE": "espeak",
        "SECRET_KEY": "two-hosts",
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "LOG_LEVEL": "warning",
    }
    hosts = [Host(name, base, environment) for name in ("a", "b")]
    site = None
    try:
        site = create_app({
            **shared, "STORAGE_DIR": str(storage),
            "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "two-hosts",  # as the hosts have it; none is then made in the repository's instance/
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema},public"}},
        })
        with site.app_context():
            create_schema()
            category = Category(name="Tin tức", slug="tin-tuc")
            db.session.add(Article(title="Huyện họp bàn kế hoạch năm 2024", slug="hop-ban-ke-hoach", body_html=BODY,
                                   author="Minh Anh", status="published", category=category,
                                   published_at=dt.datetime(2023, 11, 16, 7, 14, tzinfo=dt.timezone.utc)))
            db.session.commit()
        for host in hosts:
            host.start_server()
        yield {"hosts": hosts, "site": site, "syntheses": syntheses, "stored": stored, "slug": "hop-ban-ke-hoach",
               "backend": request.param}
    finally:
        for host in hosts:
            host.stop_all()
        if site is not None:
            with site.app_context():
                db.session.remove()
                db.engine.dispose()
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
        redis.flushdb()


def _stored_views(site, slug) -> int:
    with site.app_context():
        return db.session.execute(sa.select(Article.views).where(Article.slug == slug)).scalar_one()


def test_twenty_first_listeners_on_two_hosts_make_one_audio(two_hosts):
    hosts, slug = two_hosts["hosts"], two_hosts["slug"]
    workers = [host.start_worker() for host in hosts]  # either host's worker may take the job

    def listen(number):
        port = hosts[number % 2].port
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            status, body, headers = http_get(port, f"/bai-viet/{slug}/nghe.mp3")
            if status == 200:
                return body
            assert status in (202, 503), (status, body[:300])  # "đang chuẩn bị": ask again
            time.sleep(float(headers.get("Retry-After", 1)) / 5)
        raise AssertionError("no audio within 180 s")

    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            bodies = list(pool.map(listen, range(20)))
    finally:
        for host, worker in zip(hosts, workers):
            host.stop(worker)
    assert len(set(bodies)) == 1 and bodies[0].startswith((b"ID3", b"\xff\xfb", b"\xff\xf3"))  # one MP3
    syntheses = two_hosts["syntheses"].read_text().splitlines()
    assert syntheses, "espeak-ng never ran"
    assert len(syntheses) == len(set(syntheses)), "a segment was synthesized more than once"
    # Every segment once, in the one shared directory or bucket.
    assert len(two_hosts["stored"]("audio", ".mp3")) == len(syntheses)


def test_two_hundred_views_on_two_hosts_add_exactly_two_hundred(two_hosts):
    hosts, site, slug = two_hosts["hosts"], two_hosts["site"], two_hosts["slug"]
    before = _stored_views(site, slug)

    def view(number):
        status, body, headers = http_get(hosts[number % 2].port, f"/bai-viet/{slug}/xem.gif")
        return status, headers.get("Cache-Control")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(view, range(200)))
    assert answers == [(200, "no-store")] * 200
    # Flushed within a second or so by whichever process holds the flush lock.
    deadline = time.monotonic() + 20
    while _stored_views(site, slug) < before + 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # and nothing more arrives later
    assert _stored_views(site, slug) == before + 200
    status, page, _ = http_get(hosts[1].port, f"/bai-viet/{slug}")
    assert status == 200 and f"{before + 200} lượt xem".encode() in page


def test_a_job_queued_on_one_host_is_done_by_a_worker_of_the_other(two_hosts):
    a, b = two_hosts["hosts"]
    slug = two_hosts["slug"]
    status, _, _ = http_get(a.port, f"/bai-viet/{slug}/in.pdf")
    assert status == 202  # no worker runs: queued in Redis
    done = b.run_worker_burst()
    assert done.returncode == 0, done.stderr[-3000:]
    status, pdf, headers = http_get(a.port, f"/bai-viet/{slug}/in.pdf")
    assert status == 200 and pdf.startswith(b"%PDF-")
    assert len(two_hosts["stored"]("pdf", ".pdf")) == 1
    if two_hosts["backend"] == "shared-folder":
        assert not list((a.instance / "cache").rglob("*.pdf")) and not list((b.instance / "cache").rglob("*.pdf"))
    else:
        # Made by b's worker, put in the bucket, and served by a from the local copy it took from there.
        assert list((a.instance / "cache" / "pdf").rglob("*.pdf")) and list((b.instance / "cache").rglob("*.pdf"))


def test_an_edit_on_one_host_reaches_the_other(two_hosts):
    a, b = two_hosts["hosts"]
    site, slug = two_hosts["site"], two_hosts["slug"]
    assert "Huyện họp bàn".encode() in http_get(b.port, f"/bai-viet/{slug}")[1]
    with site.app_context():
        article = db.session.execute(sa.select(Article).where(Article.slug == slug)).scalar_one()
        article.title = "Huyện chốt kế hoạch năm 2024"
        db.session.commit()
    edited = time.monotonic()
    # Each process looks at the shared content version every half second (CONTENT_VERSION_RECHECK_SECONDS); the
    # window itself is tested with a fake clock in test_scale.py, a loaded machine only makes this wait longer.
    for host in (a, b):
        while "Huyện chốt kế hoạch năm 2024".encode() not in http_get(host.port, f"/bai-viet/{slug}")[1]:
            assert time.monotonic() - edited < 10, f"the edit did not reach the host on port {host.port}"
            time.sleep(0.05)
