"""What every benchmark here shares: a throw-away instance folder, a server thread or gunicorn, a timed GET."""
from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"  # Debian's package, as in the browser tests
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"

# A bench is one client asking for every cold audio file or PDF in turn: the per-client limit on new
# generation (12 a minute) is not what it measures.
ONE_CLIENT_SETTINGS = {"COLD_GENERATION_LIMIT": "100000 per minute"}

_connections: dict[int, http.client.HTTPConnection] = {}


@contextlib.contextmanager
def throwaway_instance(prefix: str):
    """An instance folder for one bench run, with the embedded SQLite default, removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["INSTANCE_PATH"] = str(instance)
    os.environ.pop("DATABASE_URL", None)
    try:
        yield instance
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def serve_in_thread(app):
    """Serve the app on 127.0.0.1 at a free port from a daemon thread; `.server_port` says where."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_served(environment: dict, code_root: Path = ROOT, app_spec: str | None = None,
                    workers: int | None = None):
    """An app of code_root under gunicorn with the repo's gunicorn.conf.py on a free port for the block (it
    yields the port), then stopped gracefully. app_spec and workers default to the configuration's own."""
    port = free_port()
    process = _start_gunicorn(port, environment, code_root, app_spec, workers)
    try:
        yield port
    finally:
        stop_gracefully(process)


def _start_gunicorn(port: int, environment: dict, code_root: Path, app_spec: str | None,
                    workers: int | None) -> subprocess.Popen:
    # Each checkout is served with its own gunicorn.conf.py, given explicitly (the configuration imports the
    # checkout's modules: another checkout's would be imported before --chdir takes effect); the hello app with
    # the repo's. Its messages go to a file, not an unread pipe that would block the workers once full.
    config = code_root / "gunicorn.conf.py" if (code_root / "gunicorn.conf.py").exists() else GUNICORN_CONFIG
    command = [sys.executable, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--chdir", str(code_root)]
    if workers is not None:
        command += ["--workers", str(workers)]
    if app_spec is not None:
        command.append(app_spec)
    log_path = Path(environment["INSTANCE_PATH"]) / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return process
        except OSError:
            time.sleep(0.2)
    stop_gracefully(process)
    raise RuntimeError("gunicorn did not start within 60 s")


def stop_gracefully(process: subprocess.Popen) -> None:
    """SIGTERM, a graceful stop (gunicorn's workers write the views they hold); SIGKILL after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def empty_redis(url: str) -> None:
    """Empty the Redis database a bench run is about to use."""
    from redis import Redis

    Redis.from_url(url).flushdb()


def timed_get(port: int, path: str, reuse: bool = False, headers: dict | None = None) -> tuple[float, int, bytes]:
    """Seconds for one GET over HTTP (the whole body read), its status and its body."""
    connection = _connections.get(port) if reuse else None
    if connection is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    if reuse and not response.will_close:
        _connections[port] = connection
    else:
        _connections.pop(port, None)
        connection.close()
    return seconds, response.status, body


def save_and_report_targets(name: str, results: dict, misses: list[str], what: str) -> int:
    """Print missed targets, write bench/results/<name>.json, and give the exit status (1 if any missed)."""
    for miss in misses:
        print("MISSED:", miss)
    if not misses:
        print(f"All {what} targets met.")
    results["missed"] = misses
    results["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 1 if misses else 0
