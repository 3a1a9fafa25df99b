"""The deployment example runs as written (README, Deploying).

On this machine's PostgreSQL (a database of the test's own) and Redis (a database number of its own): the
settings file deploy/docbai.env, with its paths pointed at a temporary folder; the database created by the
README's own command line; gunicorn and a job worker started by the ExecStart= of deploy/docbai.service and
deploy/docbai-worker@.service, with that file's variables as systemd would give them; an article's MP3 and
PDF asked of the site over HTTP, as nginx would ask, and made by the worker. Also: systemd accepts the
units, and `nginx -t` accepts deploy/nginx.conf.
"""
from __future__ import annotations

import concurrent.futures
import configparser
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import time
import uuid
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from app import database_url_with_driver
from servers import ROOT, Processes, descendants, free_port, http_get
from services.infra.jobs import RedisQueue
from settings import BY_NAME, load_settings
from support import redis_running

DEPLOY = ROOT / "deploy"
ENVIRONMENT_FILE = DEPLOY / "docbai.env"
WEB_UNIT = DEPLOY / "docbai.service"
WORKER_UNIT = DEPLOY / "docbai-worker@.service"
TARGET_UNIT = DEPLOY / "docbai.target"
BULLETIN_UNIT = DEPLOY / "docbai-bulletin.service"
NGINX_SITE = DEPLOY / "nginx.conf"
# Where the examples say things are on a server; the tests put the repository and temporary files there.
SERVER_CODE = "/srv/docbai"
SERVER_ENVIRONMENT_FILE = "/etc/docbai/docbai.env"

POSTGRESQL_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = "redis://127.0.0.1:6379/11"  # a database number of this test's own, flushed before and after
# What nginx sends the app (deploy/nginx.conf, location /): the site's name, and itself as the one proxy.
AS_NGINX = {"Host": "doc.example.vn", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
# The environment systemd gives a service before its EnvironmentFile= (its default PATH, a UTF-8 locale).
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# What a value may be so that systemd's EnvironmentFile= and the shell's `.` read the same thing: bare
# (no space, quote, $, `, \ or shell operator) or in double quotes (none of ", $, ` or \ inside).
ENVIRONMENT_LINE = re.compile(r'(?P<name>[A-Z][A-Z0-9_]*)=(?:(?P<bare>[^\s"\'$`\\;&|<>()#]*)|"(?P<quoted>[^"$`\\]*)")')
NEEDED_SETTINGS = {"SITE_URL", "TRUSTED_HOSTS", "INSTANCE_PATH", "DATABASE_URL", "REDIS_URL", "BIND",
                   "PROXY_COUNT", "ACCEL_REDIRECT_PREFIX", "SECRET_KEY"}
BODY = ("<p>Ngày 16/11/2023, UBND huyện Đồng Lâm họp bàn kế hoạch phát triển kinh tế năm 2024.</p>"
        "<p>Hội nghị thống nhất xây dựng thêm 12 phòng học và sửa 3,5 km đường liên xã trước mùa mưa.</p>")


def read_environment_file(path: Path) -> dict[str, str]:
    """NAME=value lines as systemd reads them (comments and blank lines skipped, double quotes removed);
    a line the shell could read differently fails the test."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENVIRONMENT_LINE.fullmatch(line)
        assert match, f"{path.name}:{number}: systemd and the shell may read {line!r} differently"
        values[match["name"]] = match["bare"] if match["bare"] is not None else match["quoted"]
    return values


def read_unit(path: Path) -> configparser.ConfigParser:
    """A systemd unit file's sections and keys (the examples give each key once)."""
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def deploy_commands() -> list[list[str]]:
    """The shell commands of the README's Deploying section, each split as the shell splits it."""
    section = (ROOT / "README.md").read_text().split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocks, "the README's Deploying section has no sh block"
    commands = []
    for line in "".join(blocks).splitlines():
        line = line.split(" # ")[0].strip()
        if line and not line.startswith("#"):
            commands.append(shlex.split(line))
    return commands


def database_command_script() -> str:
    """What the README's command that creates the database with the settings file runs: the script of its
    `bash -c`, the first command line of the section that runs flask."""
    for words in deploy_commands():
        if "bash" in words and "/bin/flask --app app " in words[-1]:
            return words[words.index("-c") + 1]
    raise AssertionError("the README gives no `bash -c '… flask --app app …'` command")


def run_one_off(script: str, environment_file: Path, environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    """Run a one-off command line as the README writes it, from the code's folder, with this settings file."""
    script = script.replace(SERVER_ENVIRONMENT_FILE, str(environment_file))
    return subprocess.run(["bash", "-c", script, "bash", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=240)


def exec_start(unit_path: Path) -> list[str]:
    """The unit's ExecStart=, with the code's folder where the example has /srv/docbai."""
    service = read_unit(unit_path)["Service"]
    assert service["WorkingDirectory"] == SERVER_CODE
    return shlex.split(service["ExecStart"].replace(SERVER_CODE, str(ROOT)))


# The settings file and the units -------------------------------------------------------------------------

def test_the_settings_file_sets_what_a_server_needs_and_only_real_settings():
    values = read_environment_file(ENVIRONMENT_FILE)
    assert NEEDED_SETTINGS <= values.keys()
    known = BY_NAME.keys() | {"INSTANCE_PATH"}  # where the settings are looked for, read before them
    assert values.keys() <= known, f"not settings: {values.keys() - known}"
    # Every value is valid as written (an empty SECRET_KEY counts as unset: one is made in the instance folder).
    loaded = load_settings("/srv/docbai/instance", environ=values).values
    assert loaded["PROXY_COUNT"] == 1 and loaded["TRUSTED_HOSTS"] == ["doc.example.vn"]
    assert loaded["SECRET_KEY"] is None


def test_the_shell_reads_the_settings_file_as_systemd_does():
    shell = subprocess.run(["bash", "-c", 'set -a && . "$1" && exec env -0', "bash", str(ENVIRONMENT_FILE)],
                           env={"PATH": SYSTEMD_PATH}, capture_output=True, text=True, check=True)
    read_by_shell = dict(item.split("=", 1) for item in shell.stdout.split("\0") if item)
    expected = read_environment_file(ENVIRONMENT_FILE)
    assert {name: read_by_shell.get(name) for name in expected} == expected
    assert expected["SITE_NAME"] == "Cổng thông tin điện tử huyện Đồng Lâm"  # spaces and diacritics survive


def test_the_site_and_its_workers_share_one_settings_file_user_and_hardening():
    web, worker = read_unit(WEB_UNIT)["Service"], read_unit(WORKER_UNIT)["Service"]
    shared = ("User", "Group", "WorkingDirectory", "EnvironmentFile", "NoNewPrivileges", "PrivateTmp",
              "ProtectSystem", "ProtectHome", "ReadWritePaths")
    assert {key: worker.get(key) for key in shared} == {key: web.get(key) for key in shared}
    assert web["EnvironmentFile"] == SERVER_ENVIRONMENT_FILE
    assert not any(key.startswith("Environment") and key != "EnvironmentFile" for key in (*web, *worker))
    assert web["ReadWritePaths"] == read_environment_file(ENVIRONMENT_FILE)["INSTANCE_PATH"]


def test_a_stopping_worker_is_given_time_to_finish_its_job():
    worker = read_unit(WORKER_UNIT)["Service"]
    # SIGTERM to RQ's main process alone is a warm shutdown; to the group it would kill the job's process.
    assert worker["KillMode"] == "mixed" and worker.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert int(worker["TimeoutStopSec"]) > RedisQueue.JOB_TIMEOUT_SECONDS
    assert worker["Restart"] == "on-failure"
    assert exec_start(WORKER_UNIT)[1:] == ["--app", "app", "worker"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    environment_file = tmp_path / "docbai.env"
    shutil.copy(ENVIRONMENT_FILE, environment_file)
    for unit in (WEB_UNIT, WORKER_UNIT, TARGET_UNIT, BULLETIN_UNIT):
        text = unit.read_text().replace(SERVER_CODE, str(ROOT)).replace(SERVER_ENVIRONMENT_FILE, str(environment_file))
        (tmp_path / unit.name).write_text(text)
    units = [tmp_path / "docbai.service", tmp_path / "docbai-worker@1.service", tmp_path / "docbai.target",
             tmp_path / "docbai-bulletin.service"]
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)],
                              capture_output=True, text=True, timeout=60)
    # An unknown key or a bad value is only a warning to systemd (rc 0): any output at all fails here.
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


# nginx ---------------------------------------------------------------------------------------------------

def _nginx_site() -> list[dict]:
    import crossplane

    parsed = crossplane.parse(str(NGINX_SITE), single=True, check_ctx=False, comments=False)
    assert parsed["status"] == "ok", parsed["errors"]
    return parsed["config"][0]["parsed"]


def _https_server(site: list[dict]) -> dict:
    servers = [d for d in site if d["directive"] == "server"
               and any(c["directive"] == "listen" and "ssl" in c["args"] for c in d["block"])]
    assert len(servers) == 1
    return servers[0]


def _header_values(block: list[dict], maps: dict[str, str]) -> dict[str, str]:
    """The add_header directives of a block, by header name, with map variables resolved to their value."""
    return {d["args"][0]: maps.get(d["args"][1], d["args"][1]) for d in block if d["directive"] == "add_header"}


def test_every_https_answer_says_https_only_and_refuses_device_permissions():
    site = _nginx_site()
    # A map with only a default names a constant: $docbai_hsts -> its value.
    maps = {d["args"][1]: d["block"][0]["args"][0] for d in site
            if d["directive"] == "map" and len(d["block"]) == 1 and d["block"][0]["directive"] == "default"}
    server = _https_server(site)["block"]
    blocks = {"server": server}
    blocks.update({" ".join(d["args"]): d["block"] for d in server if d["directive"] == "location"})
    for name, block in blocks.items():
        headers = _header_values(block, maps)
        if name != "server" and not headers:
            continue  # no add_header of its own: it inherits the server's
        assert headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", name
        policy = dict(item.strip().split("=", 1) for item in headers.get("Permissions-Policy", "").split(","))
        assert {policy.get(f) for f in ("camera", "microphone", "geolocation", "payment", "usb")} == {"()"}, name
    assert len(blocks) >= 5  # the server and its locations were found


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (Makefile: SYSTEM_PACKAGES)")
@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl is not installed: no certificate to test with")
def test_nginx_accepts_the_site(tmp_path):
    # A throwaway certificate where the example has Let's Encrypt's.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=doc.example.vn",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)
    # `nginx -t` binds the ports it would listen on: free loopback ports here, never 80 and 443.
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{free_port()} ssl http2;",
        "/etc/letsencrypt/live/doc.example.vn/": f"{tmp_path}/",
        "/var/cache/nginx/docbai": str(tmp_path / "page-cache"),
        SERVER_CODE: str(tmp_path / "srv"),
    }
    site = NGINX_SITE.read_text()
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    (tmp_path / "docbai.conf").write_text(site)
    # The site is a file Debian's nginx.conf includes in its http block; this is a minimal such main file.
    temporary = "\n".join(f"    {kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temporary}\n    include {tmp_path / 'docbai.conf'};\n}}\n"
    )
    tested = subprocess.run(["nginx", "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=60)
    assert (tested.returncode, tested.stdout + tested.stderr) == (0, "")


# The whole deployment on this machine --------------------------------------------------------------------

def needs_services(test):
    """Mark a test that runs the deployment itself: it needs PostgreSQL, Redis and espeak-ng on this machine."""
    marks = (
        pytest.mark.skipif(not POSTGRESQL_URL, reason="TEST_DATABASE_URL is not set: the deployment runs on PostgreSQL"),
        pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379: the job queue is in Redis"),
        pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed: the offline voice"),
        pytest.mark.timeout(600),
    )
    for mark in marks:
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """The README's steps on this machine, up to a running site (no job worker yet): its own PostgreSQL
    database and Redis database, a settings file copied from the example, the database created, one
    article imported, gunicorn started as docbai.service starts it. Everything is removed afterwards."""
    from redis import Redis

    base = tmp_path_factory.mktemp("deployment")
    database = "docbai_deploy_" + uuid.uuid4().hex[:10]
    server_url = sa.engine.make_url(database_url_with_driver(POSTGRESQL_URL))
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    processes = Processes(base / "processes.log")
    try:
        # A voice that can be held, for the test of a graceful stop: while the file `hold` exists, each
        # espeak-ng waits (and says so in `held`) before speaking.
        bin_dir = base / "bin"
        bin_dir.mkdir()
        voice = bin_dir / "espeak-ng"
        voice.write_text(f'#!/bin/sh\nif [ -e {base}/hold ]; then touch {base}/held; while [ -e {base}/hold ]; do sleep 0.05; done; fi\n'
                         f'exec {shutil.which("espeak-ng")} "$@"\n')
        voice.chmod(voice.stat().st_mode | stat.S_IXUSR)
        (base / "home").mkdir()
        port = free_port()
        environment_file = base / "docbai.env"
        instance = base / "instance"
        text = ENVIRONMENT_FILE.read_text()
        for name, value in {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": server_url.set(database=database).render_as_string(hide_password=False),
            "REDIS_URL": REDIS_URL,
            "BIND": f"127.0.0.1:{port}",
        }.items():
            text, replaced = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.M)
            assert replaced == 1, f"deploy/docbai.env does not set {name}"
        # Not in the example: the offline voice (no internet here), two gunicorn processes on a small machine.
        environment_file.write_text(text + "TTS_ENGINE=espeak\nWEB_CONCURRENCY=2\n")
        environment = {"PATH": f"{bin_dir}:{SYSTEMD_PATH}", "LANG": "C.UTF-8", "HOME": str(base / "home"),
                       # Replaced by the settings file's; should a command not read it, not the repository's instance/.
                       "INSTANCE_PATH": str(base / "not-from-the-settings-file")}

        # The README's command line creates the database, then imports an article the same way.
        script = database_command_script()
        created = run_one_off(script, environment_file, environment)
        assert created.returncode == 0, created.stderr[-3000:]
        articles = base / "articles.jsonl"
        articles.write_text("".join(json.dumps(article, ensure_ascii=False) + "\n" for article in (
            {"title": "Huyện họp bàn kế hoạch năm 2024", "slug": "hop-ban-ke-hoach", "body_html": BODY,
             "published_at": "2023-11-16T14:14:00+07:00", "category": "Tin tức", "author": "Minh Anh"},
            {"title": "Sửa đường liên xã trước mùa mưa", "slug": "sua-duong-lien-xa", "body_html": BODY,
             "published_at": "2023-11-17T09:00:00+07:00", "category": "Tin tức", "author": "Minh Anh"},
        )))
        import_script = script.split(" --app app ")[0] + ' --app app import-articles --no-audio-pdf "$1"'
        imported = run_one_off(import_script, environment_file, environment, str(articles))
        assert imported.returncode == 0, imported.stderr[-3000:]

        # systemd gives the service the file's variables; Type=notify: gunicorn says READY=1 on this socket.
        service_environment = {**environment, **read_environment_file(environment_file)}
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(str(base / "notify"))
            notify.settimeout(60)
            server = processes.start(exec_start(WEB_UNIT), {**service_environment, "NOTIFY_SOCKET": str(base / "notify")})
            processes.wait_until_serving(server, port, AS_NGINX)
            notified = notify.recv(4096).decode()
        yield {"base": base, "port": port, "instance": instance, "processes": processes, "redis": redis,
               "environment": service_environment, "notified": notified}
    finally:
        processes.stop_all()
        redis.flushdb()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        admin.dispose()


def _whole_mp3(port: int, slug: str) -> tuple[bytes, dict]:
    """Ask for the article's MP3 until it is whole and cached (200 with a length), as a listener would."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status, body, headers = http_get(port, f"/bai-viet/{slug}/nghe.mp3", AS_NGINX)
        if status == 200 and "Content-Length" in headers:
            return body, headers
        assert status in (200, 202), (status, body[:300])  # 200 without a length: streamed while made
        time.sleep(0.2)
    raise AssertionError("no whole MP3 within 180 s")


def _pdf_through_nginx(port: int, slug: str, instance: Path) -> bytes:
    """Ask for the article's PDF until it is made; the app answers with X-Accel-Redirect, and the file is
    read where nginx's internal location (deploy/nginx.conf, /_cache/) would read it."""
    location = next(d["block"] for d in _https_server(_nginx_site())["block"]
                    if d["directive"] == "location" and d["args"] == ["/_cache/"])
    alias = next(d["args"][0] for d in location if d["directive"] == "alias")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status, body, headers = http_get(port, f"/bai-viet/{slug}/in.pdf", AS_NGINX)
        if status == 200:
            internal = headers["X-Accel-Redirect"]
            assert internal.startswith("/_cache/") and body == b""
            return (Path(alias.replace(f"{SERVER_CODE}/instance", str(instance))) / internal.removeprefix("/_cache/")).read_bytes()
        assert status == 202, (status, body[:300])
        time.sleep(0.2)
    raise AssertionError("no PDF within 180 s")


@needs_services
def test_audio_and_pdf_asked_of_the_site_are_made_by_the_worker(deployment):
    from mutagen.mp3 import MP3
    from pypdf import PdfReader
    from rq import Worker

    port, instance, processes = deployment["port"], deployment["instance"], deployment["processes"]
    assert "READY=1" in deployment["notified"].split("\n")  # Type=notify works: systemd would see it started
    worker = processes.start(exec_start(WORKER_UNIT), deployment["environment"])
    try:
        mp3, headers = _whole_mp3(port, "hop-ban-ke-hoach")
        pdf = _pdf_through_nginx(port, "hop-ban-ke-hoach", instance)
        # Made by this worker: RQ's registry of workers says so, by its process id, and so does its log.
        workers = Worker.all(connection=deployment["redis"])
        assert [(w.pid, w.successful_job_count) for w in workers] == [(worker.pid, 2)]
    finally:
        processes.stop(worker)
    log = processes.log.read_text()
    assert re.search(r"Job OK.*\(audio-\d+-", log) and re.search(r"Job OK.*\(pdf-\d+-", log)

    # A complete MP3: its whole length sent, every segment the worker cached, and about as long as the text.
    assert int(headers["Content-Length"]) == len(mp3)
    segments = [path.read_bytes() for path in (instance / "cache" / "audio").rglob("*.mp3")]
    assert sum(len(segment) for segment in segments if segment in mp3) == len(mp3)
    assert 5 < MP3(io.BytesIO(mp3)).info.length < 60
    # A complete PDF, from the cache nginx reads.
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert "2024" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@needs_services
def test_a_worker_stopped_as_systemd_stops_it_finishes_the_job_in_hand(deployment):
    base, port, processes = deployment["base"], deployment["port"], deployment["processes"]
    (base / "hold").touch()
    worker = processes.start(exec_start(WORKER_UNIT), deployment["environment"])
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            # The first listener of the second article queues its audio; the worker's first espeak-ng is held.
            asked = pool.submit(http_get, port, "/bai-viet/sua-duong-lien-xa/nghe.mp3", AS_NGINX)
            deadline = time.monotonic() + 120
            while not (base / "held").exists():
                assert time.monotonic() < deadline and worker.poll() is None, processes.log_tail()
                time.sleep(0.05)
            # `systemctl stop` while the job is in hand, as the unit tells systemd to stop it.
            unit = read_unit(WORKER_UNIT)["Service"]
            stop_signal = signal.Signals[unit.get("KillSignal", "SIGTERM")]
            if unit.get("KillMode", "control-group") == "mixed":
                os.kill(worker.pid, stop_signal)  # the main process alone
            else:
                for process in [psutil.Process(worker.pid), *descendants(worker.pid)]:
                    process.send_signal(stop_signal)  # every process of the unit (its control group)
            # The job goes on only once the worker has taken the stop in.
            stopping = f"[PID {worker.pid}]: warm shut down requested"
            while stopping not in processes.log.read_text():
                assert time.monotonic() < deadline and worker.poll() is None, processes.log_tail()
                time.sleep(0.05)
            (base / "hold").unlink()
            assert worker.wait(timeout=300) == 0, processes.log_tail()
            assert asked.result()[0] in (200, 202)
    finally:
        (base / "hold").unlink(missing_ok=True)
        processes.stop(worker)
    log = processes.log.read_text()
    assert re.search(r"Job OK \(audio-\d+-", log[log.index(stopping):]), "the job was not finished after the stop"
    # The job was finished before the worker left: the whole MP3 is there, with no worker running.
    mp3, headers = _whole_mp3(port, "sua-duong-lien-xa")
    assert int(headers["Content-Length"]) == len(mp3) > 10_000
