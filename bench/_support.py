"""What every benchmark here shares: a throw-away instance folder, a server thread, a timed GET."""
from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import shutil
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
