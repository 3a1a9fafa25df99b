"""Server speed: requests per second and median latency of the home and article pages under gunicorn on
127.0.0.1, set against a minimal Flask "hello" app measured in the same run as the ceiling.

    .venv/bin/python bench/server_speed.py [--seconds 5] [--connections 4] [--articles 1000]

It builds a throw-away instance (SQLite, demo content), starts gunicorn (one sync worker per core) for
docbai and then for bench/_hello_app.py, and drives each with wrk (Debian package `wrk`) asking for
brotli or gzip, as browsers do. The article run counts a view on every request — a database write —
and a second article run sends the page's ETag back, which is what a repeat visit costs (a 304).
Figures go to bench/results/server_speed.json.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from _support import RESULTS, ROOT, throwaway_instance, timed_get

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
ACCEPT_ENCODING = "br, gzip"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(app_spec: str, port: int, workers: int, environment: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "--chdir", str(ROOT), app_spec],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {process.stderr.read()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start within 30 s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    """Requests per second, median and 99th-percentile latency, and non-2xx/3xx answers from one wrk run."""
    command = [WRK, "--threads", "1", "--connections", str(connections), "--duration", f"{seconds}s",
               "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "median_ms": _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99_ms": _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "bad_responses": int(errors.group(1)) if errors else 0,
    }


def main() -> int:
    """Parse the options and measure in a throw-away instance folder, removed afterwards."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--articles", type=int, default=1000, help="demo articles in the database")
    options = parser.parse_args()
    if not os.path.exists(WRK):
        print("wrk is not installed (Debian package `wrk`)", file=sys.stderr)
        return 2
    with throwaway_instance("docbai-speed-bench-") as instance:
        return run(instance, options)


def run(instance: Path, options) -> int:
    """Seed demo content, load docbai and then the hello app under gunicorn, and write the figures."""
    environment = {**os.environ, "INSTANCE_PATH": str(instance), "TTS_ENGINE": "espeak"}
    environment.pop("DATABASE_URL", None)
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "seed-demo", "--articles",
                    str(options.articles)], cwd=ROOT, env=environment, check=True, capture_output=True)
    workers = os.cpu_count() or 1
    run_options = (options.seconds, options.connections)
    results = {"workers": workers, "connections": options.connections, "seconds": options.seconds,
               "articles": options.articles, "accept_encoding": ACCEPT_ENCODING, "runs": {}}

    port = _free_port()
    process = _start_gunicorn("app:create_app()", port, workers, environment)
    try:
        base = f"http://127.0.0.1:{port}"
        home = _get(port, "/")
        slug = re.search(r'href="/bai-viet/([^"?#]+)"', home).group(1)
        article_path = f"/bai-viet/{slug}"
        etag = _etag(port, article_path)
        plain = {"Accept-Encoding": ACCEPT_ENCODING}
        _warm(base, article_path)
        results["runs"]["home"] = run_wrk(base + "/", *run_options, plain)
        results["runs"]["article"] = run_wrk(base + article_path, *run_options, plain)
        results["runs"]["article, repeat visit (304)"] = run_wrk(
            base + article_path, *run_options, {**plain, "If-None-Match": etag})
    finally:
        _stop(process)

    port = _free_port()
    process = _start_gunicorn("bench._hello_app:app", port, workers, environment)
    try:
        results["runs"]["hello (ceiling)"] = run_wrk(f"http://127.0.0.1:{port}/", *run_options, plain)
    finally:
        _stop(process)

    ceiling = results["runs"]["hello (ceiling)"]["requests_per_second"]
    for figures in results["runs"].values():
        figures["share_of_ceiling"] = round(figures["requests_per_second"] / ceiling, 3)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "server_speed.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"gunicorn, {workers} sync workers, wrk {options.connections} connections for {options.seconds} s each, "
          f"{options.articles} articles")
    print(f"{'page':30} {'req/s':>9} {'median':>9} {'p99':>9} {'of ceiling':>11}")
    for name, figures in results["runs"].items():
        print(f"{name:30} {figures['requests_per_second']:>9.0f} {figures['median_ms']:>7.2f}ms "
              f"{figures['p99_ms']:>7.2f}ms {figures['share_of_ceiling']:>10.1%}"
              + (f"  ({figures['bad_responses']} bad answers)" if figures["bad_responses"] else ""))
    return 1 if any(figures["bad_responses"] for figures in results["runs"].values()) else 0


def _get(port: int, path: str) -> str:
    return timed_get(port, path)[2].decode("utf-8")


def _etag(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("ETag")


def _warm(base: str, article_path: str) -> None:
    # Each worker loads its templates and caches on its first requests; those are not what is measured.
    for path in ("/", article_path) * 10:
        _get(int(base.rsplit(":", 1)[1]), path)


if __name__ == "__main__":
    sys.exit(main())
