"""What the observability hooks (web/observability.py: request id, request line, metrics) cost each request.

A cached article page is asked of the app's WSGI callable directly (no server, no network: the figure is the
app's own time), once with the hooks and once with them taken off, and the hooks alone are timed in a request
context. Each way runs with the metrics in memory (flask run, tests) and in files (gunicorn's multiprocess
mode), and with the request line written as text, as JSON, or not at all (LOG_LEVEL=warning). Log lines go to
/dev/null: the cost of the terminal or the journal is not the app's. Times are this process's CPU time (best of
five rounds), which other work on a busy machine disturbs less than the clock.

    .venv/bin/python bench/request_hooks.py [--requests 20000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _support import RESULTS, ROOT, throwaway_instance

# The hooks, as deployed (metrics in files, a text line), may add this share to a cached page's own time: it is
# served at thousands a second.
TARGET_SHARE = 0.15


def _environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0), "HTTP_USER_AGENT": "bench", "HTTP_ACCEPT_ENCODING": "identity",
    }


def _per_request(app, path: str, requests: int, rounds: int = 5) -> float:
    """CPU microseconds per request of the app's WSGI callable, the best of several rounds."""

    def start_response(status, headers, exc_info=None):
        return None

    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests // rounds):
            body = app.wsgi_app(_environ(path), start_response)
            for _ in body:
                pass
            getattr(body, "close", lambda: None)()
        best = min(best, (time.process_time() - started) / (requests // rounds) * 1e6)
    return best


def measure(mode: str, log_format: str, level: str, requests: int) -> dict:
    """One configuration, in this process (run by main in a child process of its own)."""
    from services.infra.metrics import use_files

    if mode == "files":
        use_files(tempfile.mkdtemp(prefix="docbai-metrics-"))
    with throwaway_instance("docbai-hooks-"):
        from app import create_app
        from extensions import db
        from models import Article, Category
        from services.infra.schema import create_schema
        from web import observability

        os.environ.update(LOG_FORMAT=log_format, LOG_LEVEL=level)
        app = create_app({"PAGE_CACHE_SECONDS": 600})
        with app.app_context():
            create_schema()
            category = Category(name="Tin tức", slug="tin-tuc")
            db.session.add(Article(title="Một bài", slug="mot-bai", body_html="<p>Nội dung.</p>" * 20,
                                   status="published", category=category,
                                   published_at=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)))
            db.session.commit()
        sys.stderr = open(os.devnull, "w")  # where the lines go (the handler looks at sys.stderr when it writes)
        path = "/bai-viet/mot-bai"
        _per_request(app, path, 200)  # warm: the page is rendered and cached
        with_hooks = _per_request(app, path, requests)
        with app.test_request_context(path):
            from flask import Response, request

            request.url_rule  # noqa: B018 (matched like a real request)
            response = Response("x")
            hooks_alone = float("inf")
            for _ in range(5):
                started = time.process_time()
                for _ in range(requests // 5):
                    observability._begin_request()
                    observability._finish_request(response)
                    observability._end_request()
                hooks_alone = min(hooks_alone, (time.process_time() - started) / (requests // 5) * 1e6)
        app.before_request_funcs[None].remove(observability._begin_request)
        app.after_request_funcs[None].remove(observability._finish_request)
        app.teardown_request_funcs[None].remove(observability._end_request)
        without_hooks = _per_request(app, path, requests)
    return {"mode": mode, "log": log_format if level == "info" else "off", "page_with_hooks_us": round(with_hooks, 1),
            "page_without_hooks_us": round(without_hooks, 1), "difference_us": round(with_hooks - without_hooks, 1),
            "hooks_alone_us": round(hooks_alone, 1)}


def gunicorn_access_line(requests: int) -> float:
    """CPU microseconds of the access line gunicorn wrote before the app wrote its own (its format then)."""
    import datetime as dt

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("accesslog", os.devnull)
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"')
    logger = Logger(config)

    class Response:
        status, status_code, sent, response_length = "200 OK", 200, 17627, 17627
        headers = [("Content-Type", "text/html")]

    class Request:
        headers, method, path, query, version, uri = [("USER-AGENT", "bench")], "GET", "/bai-viet/mot-bai", "", (1, 1), "/bai-viet/mot-bai"

    environ = {**_environ("/bai-viet/mot-bai"), "RAW_URI": "/bai-viet/mot-bai"}
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests // 5):
            logger.access(Response(), Request(), environ, dt.timedelta(microseconds=900))
        best = min(best, (time.process_time() - started) / (requests // 5) * 1e6)
    return round(best, 1)


def main() -> int:
    """Every configuration in a process of its own, a table, the results file; 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--one", nargs=3, metavar=("MODE", "FORMAT", "LEVEL"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(measure(*options.one, options.requests)))
        return 0
    rows = []
    for mode in ("memory", "files"):
        for log_format, level in (("text", "warning"), ("text", "info"), ("json", "info")):
            # A process each: the metrics' mode is chosen before the first metric, once per process.
            output = subprocess.run([sys.executable, __file__, "--requests", str(options.requests),
                                     "--one", mode, log_format, level], cwd=ROOT, capture_output=True, text=True,
                                    check=True)
            rows.append(json.loads(output.stdout.strip().splitlines()[-1]))
    print(f"{'metrics':8} {'log':5} {'page µs':>8} {'no hooks':>9} {'diff':>6} {'hooks alone':>12}")
    for row in rows:
        print(f"{row['mode']:8} {row['log']:5} {row['page_with_hooks_us']:8} {row['page_without_hooks_us']:9} "
              f"{row['difference_us']:6} {row['hooks_alone_us']:12}")
    access_line = gunicorn_access_line(options.requests)
    deployed = next(row for row in rows if row["mode"] == "files" and row["log"] == "text")
    share = deployed["hooks_alone_us"] / deployed["page_without_hooks_us"]
    print(f"gunicorn's access line, which the app's line replaces: {access_line} µs")
    print(f"as deployed (files, text): hooks {deployed['hooks_alone_us']} µs, {share:.0%} of a cached page "
          f"({deployed['page_without_hooks_us']} µs; target {TARGET_SHARE:.0%}); median page with hooks "
          f"{statistics.median(row['page_with_hooks_us'] for row in rows)} µs")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "request_hooks.json").write_text(
        json.dumps({"rows": rows, "gunicorn_access_line_us": access_line, "deployed_share": round(share, 3)}, indent=2)
        + "\n"
    )
    return 0 if share <= TARGET_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
