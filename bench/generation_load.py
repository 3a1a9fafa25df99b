"""Reading while generating: the p95 of reading pages while a burst of cold audio and PDF requests runs,
under the repo's gunicorn config (gunicorn.conf.py), on 127.0.0.1.

    .venv/bin/python bench/generation_load.py [--audio 16] [--pdf 16] [--readers 2] [--code-root DIR]

It builds a throw-away instance (SQLite, demo articles), starts gunicorn with gunicorn.conf.py from this
repository on a free port, waits until it answers, then at once sends --audio requests for the whole MP3
and --pdf requests for the PDF of distinct articles (none cached), each from its own connection, while
--readers clients read the home page and article pages one after another. Reading latencies count from
the burst's start until every burst request has its answer (or 60 s). The burst all comes from 127.0.0.1,
so the per-client limit of new generation is raised for the run: the point is a saturated queue.
--code-root runs the same measurement against another checkout (a `git worktree` of an older commit).
Target: reading p95 under 300 ms. Writes bench/results/generation_load.json; exit status 1 on a miss.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _support import (GUNICORN_CONFIG, ROOT, empty_redis, gunicorn_served, save_and_report_targets,
                      stop_gracefully, throwaway_instance)

READING_P95_TARGET_SECONDS = 0.300
BURST_LIMIT_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=int, default=16, help="cold whole-MP3 requests in the burst")
    parser.add_argument("--pdf", type=int, default=16, help="cold PDF requests in the burst")
    parser.add_argument("--readers", type=int, default=2, help="clients reading pages during the burst")
    parser.add_argument("--articles", type=int, default=120, help="demo articles to create")
    parser.add_argument("--code-root", type=Path, default=ROOT, help="the checkout whose app is served")
    parser.add_argument("--redis", metavar="URL", help="queue on this Redis and run one `flask worker` per core")
    options = parser.parse_args()
    with throwaway_instance("docbai-generation-load-") as instance:
        return run(instance, options)


def _get(port: int, path: str, timeout: float = 120.0) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    except (OSError, http.client.HTTPException):
        return time.perf_counter() - started, 0
    finally:
        connection.close()


def _slugs(code_root: Path, environment: dict, count: int) -> list[str]:
    script = (
        "from app import create_app\nfrom services.content.articles import latest_published\n"
        f"app = create_app()\nwith app.app_context():\n    print('\\n'.join(a.slug for a in latest_published({count})))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], cwd=code_root, env=environment, check=True,
                            capture_output=True, text=True).stdout
    return output.split()


def run(instance: Path, options) -> int:
    code_root = options.code_root.resolve()
    environment = dict(os.environ, INSTANCE_PATH=str(instance), TTS_ENGINE="espeak", PYTHONPATH=str(code_root))
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    if options.redis:
        environment["REDIS_URL"] = options.redis
        empty_redis(options.redis)
    (instance / "config.py").write_text('COLD_GENERATION_LIMIT = "10000 per minute"\n', encoding="utf-8")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["seed-demo", "--articles", str(options.articles)], cwd=code_root, env=environment,
                   check=True, capture_output=True)
    slugs = _slugs(code_root, environment, options.articles)
    needed = options.audio + options.pdf + 4
    assert len(slugs) >= needed, f"need {needed} articles, have {len(slugs)}"
    reading_paths = ["/"] + [f"/bai-viet/{slug}" for slug in slugs[:4]]
    cold = slugs[4:needed]

    workers = [
        subprocess.Popen(flask + ["worker"], cwd=code_root, env=environment,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range((os.cpu_count() or 1) if options.redis else 0)
    ]
    try:
        with gunicorn_served(environment, code_root) as port:
            for path in reading_paths * 4:  # every worker process warmed, as on a running site
                _get(port, path)
            quiet = [_get(port, path)[0] for path in reading_paths * 6]
            results = measure(port, reading_paths, cold, options)
            results["quiet_reading_p95_ms"] = round(_p95(quiet) * 1000, 1)
    finally:
        for process in workers:
            stop_gracefully(process)

    results.update(code_root=str(code_root), cores=os.cpu_count(), server_config=str(GUNICORN_CONFIG),
                   queue="rq" if options.redis else "in-process")
    print(f"{code_root} ({results['queue']} queue): reading during a burst of {options.audio} cold MP3 + {options.pdf} cold PDF requests")
    print(f"  reading  p50 {results['reading_p50_ms']} ms, p95 {results['reading_p95_ms']} ms, "
          f"max {results['reading_max_ms']} ms over {results['reading_requests']} requests "
          f"(quiet p95 {results['quiet_reading_p95_ms']} ms)")
    print(f"  burst    statuses {results['burst_statuses']}, all answered in {results['burst_seconds']} s, "
          f"slowest {results['burst_max_s']} s")
    misses = []
    if results["reading_p95_ms"] > READING_P95_TARGET_SECONDS * 1000:
        misses.append(f"reading p95 {results['reading_p95_ms']} ms > {READING_P95_TARGET_SECONDS * 1000:.0f} ms")
    if results["reading_errors"]:
        misses.append(f"{results['reading_errors']} reading requests failed")
    name = "generation_load" + ("-rq" if options.redis else "") + ("" if code_root == ROOT else "-other-checkout")
    return save_and_report_targets(name, results, misses, "generation load")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def measure(port: int, reading_paths: list[str], cold: list[str], options) -> dict:
    burst_paths = [f"/bai-viet/{slug}/nghe.mp3" for slug in cold[: options.audio]]
    burst_paths += [f"/bai-viet/{slug}/in.pdf" for slug in cold[options.audio:]]
    burst_results: list[tuple[float, int]] = []
    reading: list[tuple[float, int]] = []
    done = threading.Event()

    def burst_request(path: str) -> None:
        burst_results.append(_get(port, path))

    def reader(offset: int) -> None:
        number = offset
        while not done.is_set():
            reading.append(_get(port, reading_paths[number % len(reading_paths)], timeout=60))
            number += 1

    started = time.perf_counter()
    burst = [threading.Thread(target=burst_request, args=(path,)) for path in burst_paths]
    for thread in burst:
        thread.start()
    readers = [threading.Thread(target=reader, args=(number,)) for number in range(options.readers)]
    for thread in readers:
        thread.start()
    deadline = time.monotonic() + BURST_LIMIT_SECONDS
    for thread in burst:
        thread.join(max(0.0, deadline - time.monotonic()))
    burst_seconds = time.perf_counter() - started
    done.set()
    for thread in readers:
        thread.join(60)
    times = [seconds for seconds, status in reading if status == 200]
    statuses: dict[str, int] = {}
    for _, status in burst_results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    unanswered = len(burst_paths) - len(burst_results)
    if unanswered:
        statuses["unanswered"] = unanswered
    return {
        "reading_requests": len(reading),
        "reading_errors": sum(1 for _, status in reading if status != 200),
        "reading_p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "reading_p95_ms": round(_p95(times) * 1000, 1) if times else None,
        "reading_max_ms": round(max(times) * 1000, 1) if times else None,
        "burst_statuses": statuses,
        "burst_seconds": round(burst_seconds, 1),
        "burst_max_s": round(max((seconds for seconds, _ in burst_results), default=0.0), 1),
    }


if __name__ == "__main__":
    sys.exit(main())
