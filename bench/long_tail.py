"""The long tail: requests per second over many distinct pages, not one hot one, under gunicorn with the repo's
gunicorn.conf.py, against Flask's "hello" app in the same run; each page's worker memory; where an uncached
article render spends its time.

    .venv/bin/python bench/long_tail.py [--articles 1000] [--distinct 300] [--seconds 5] [--rounds 3]
                                        [--database-url postgresql://postgres@127.0.0.1:5432/test]
                                        [--redis redis://127.0.0.1:6379/9] [--before DIR]

Runs (wrk cycles through the paths with a Lua script, asking for brotli or gzip as browsers do):
- "articles, cache warm": --distinct article pages, each asked once per worker beforehand, so every one is in
  the page cache (and, with Redis, in Redis);
- "articles, cache off": the same pages with PAGE_CACHE_SECONDS=0: every request renders;
- "lists, cache off": the home page's first 30 pages, every category's first 5, and 20 searches, rendered
  every time;
- "one hot article": the hot-page figure the long tail must not lower.
Beside them, each checkout's own CPU time per request in process (no server, no network), against the hello app's:
the same ratios without gunicorn and wrk, and steady where the machine is busy and requests per second are not.
Targets: warm ≥ 50 % of hello, cache off ≥ 20 %, lists ≥ 20 %; every web worker ≤ 80 MB resident (PSS
reported too) after 2,000 mixed requests, with WeasyPrint, Piper and onnxruntime loaded in none of them.
--database-url runs on a new PostgreSQL database made on that server (dropped afterwards); --redis adds Redis
as page cache, content version and view counter (that database is emptied first); --before DIR measures an
older checkout in the same run. Figures go to bench/results/long_tail.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psutil

from _support import ROOT, empty_redis, gunicorn_served, save_and_report_targets, throwaway_instance, timed_get
from server_speed import WRK, best_of_rounds

ACCEPT_ENCODING = "br, gzip"
SEARCHES = ["mu cang chai", "ubnd huyen", "lua", "que", "duong", "truong hoc", "hoi nghi", "nong thon moi",
            "phong chay", "tiem chung", "mua", "cho phien", "khuyen nong", "dien", "nuoc sach", "le hoi",
            "tuyen quan", "ho ngheo", "bao", "nha van hoa"]
HEAVY_LIBRARIES = ("weasyprint", "onnxruntime", "piper", "libpango")


def _wrk_script(paths: list[str], folder: Path) -> Path:
    script = folder / f"paths-{uuid.uuid4().hex[:8]}.lua"
    listed = ",\n".join(json.dumps(path) for path in paths)
    script.write_text(
        f"paths = {{\n{listed}\n}}\ncounter = 0\n"
        f'wrk.headers["Accept-Encoding"] = "{ACCEPT_ENCODING}"\n'
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format(\"GET\", paths[(counter % #paths) + 1])\nend\n"
    )
    return script


def _cycle(port: int, paths: list[str], options, folder: Path) -> dict:
    script = _wrk_script(paths, folder)
    return best_of_rounds(f"http://127.0.0.1:{port}/", options.seconds, options.connections,
                          {"Accept-Encoding": ACCEPT_ENCODING}, options.rounds, script=script)


def _warm(port: int, paths: list[str], passes: int) -> None:
    # Every worker must hold every page (each has its own in-process copy): a few passes, many connections.
    for _ in range(passes):
        for path in paths:
            timed_get(port, path, headers={"Accept-Encoding": ACCEPT_ENCODING})


def _worker_memory(port: int) -> list[dict]:
    master = next(process for process in psutil.process_iter(["cmdline"])
                  if process.info["cmdline"] and "gunicorn" in " ".join(process.info["cmdline"])
                  and f"127.0.0.1:{port}" in " ".join(process.info["cmdline"]))
    figures = []
    for worker in master.children():
        memory = worker.memory_full_info()
        maps = Path(f"/proc/{worker.pid}/maps").read_text()
        figures.append({"pid": worker.pid, "rss_mb": round(memory.rss / 2**20, 1), "pss_mb": round(memory.pss / 2**20, 1),
                        "heavy_libraries": sorted({name for name in HEAVY_LIBRARIES if name in maps})})
    return figures


def _mixed(port: int, articles: list[str], lists: list[str], count: int) -> None:
    chooser = random.Random(7)
    for number in range(count):
        kind = number % 10
        if kind < 6:
            path = chooser.choice(articles)
        elif kind < 8:
            path = chooser.choice(lists)
        elif kind == 8:
            path = chooser.choice(articles) + "/xem.gif"
        else:
            path = chooser.choice(["/rss.xml", "/sitemap.xml", "/thu-vien-anh", "/thu-vien-video"])
        timed_get(port, path, reuse=True, headers={"Accept-Encoding": ACCEPT_ENCODING})


PROFILE_SCRIPT = r"""
import json, sys, time
from flask import template_rendered, before_render_template
from sqlalchemy import event
from app import create_app
from extensions import db
from models import Article
app = create_app({"PAGE_CACHE_SECONDS": 0})
client = app.test_client()
with app.app_context():
    slugs = [slug for (slug,) in db.session.execute(db.select(Article.slug).order_by(Article.id)).all()]
statements, sql_seconds, templates = [], [0.0], {}
with app.app_context():
    engine = db.engine
    def before(conn, cursor, statement, parameters, context, executemany):
        context._started = time.perf_counter()
    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0])
        sql_seconds[0] += time.perf_counter() - context._started
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
for slug in slugs[:30]:
    client.get("/bai-viet/" + slug)  # the process's first renders: imports, template compiling
import flask_compress.flask_compress as fc
compress_seconds = [0.0]
real = fc._compress_data
def timed(*args):
    started = time.perf_counter(); result = real(*args); compress_seconds[0] += time.perf_counter() - started
    return result
fc._compress_data = timed
render_seconds = [0.0]
import jinja2
real_render = jinja2.Template.render
def timed_render(self, *args, **kwargs):
    started = time.perf_counter(); result = real_render(self, *args, **kwargs)
    render_seconds[0] += time.perf_counter() - started
    return result
jinja2.Template.render = timed_render
count = int(sys.argv[1])
statements.clear(); sql_seconds[0] = 0.0
started = time.perf_counter()
for slug in slugs[30:30 + count]:
    client.get("/bai-viet/" + slug, headers={"Accept-Encoding": "br"})
total = time.perf_counter() - started
print(json.dumps({"articles": count, "total_ms": round(1000 * total / count, 2),
                  "sql_statements": round(len(statements) / count, 1),
                  "sql_ms": round(1000 * sql_seconds[0] / count, 2),
                  "template_ms": round(1000 * render_seconds[0] / count, 2),
                  "compression_ms": round(1000 * compress_seconds[0] / count, 2),
                  "other_ms": round(1000 * (total - sql_seconds[0] - render_seconds[0] - compress_seconds[0]) / count, 2)}))
"""


CPU_SCRIPT = r"""
import io, json, sys, time
mode, distinct = sys.argv[1], int(sys.argv[2])

def environ(path):
    path, _, query = path.partition("?")
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
            "HTTP_USER_AGENT": "Mozilla/5.0", "HTTP_ACCEPT_ENCODING": "br, gzip"}

def hit(app, path):
    body = app(environ(path), lambda *args: None)
    for _ in body:
        pass
    getattr(body, "close", lambda: None)()

def per_request(app, paths, rounds):
    for path in paths:  # templates compiled, each article's audio version known, each page cached (if it is)
        hit(app, path)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for path in paths:
            hit(app, path)
        best = min(best, (time.process_time() - started) / len(paths))
    return round(best * 1e6)

if mode == "hello":
    from bench._hello_app import app
    print(json.dumps({"hello": per_request(app, ["/"] * 1000, 5)}))
else:
    from app import create_app
    from extensions import db
    from models import Article
    app = create_app({"PAGE_CACHE_SECONDS": 600 if mode == "warm" else 0})
    with app.app_context():
        slugs = db.session.execute(db.select(Article.slug).order_by(Article.id).limit(distinct)).scalars().all()
    articles = ["/bai-viet/" + slug for slug in slugs]
    if mode == "warm":
        print(json.dumps({"articles, cache warm": per_request(app, articles, 5)}))
    else:
        print(json.dumps({"articles, cache off": per_request(app, articles, 3),
                          "home pages, cache off": per_request(app, [f"/?trang={page}" for page in range(1, 31)], 3)}))
"""


def cpu_per_request(code_root: Path, environment: dict, distinct: int) -> dict:
    """The app's own CPU time per request, in microseconds (best of several rounds of process time, with no server
    and no network): steadier than requests per second on a busy machine, and what the ratios come down to."""
    figures = {}
    for mode, root in (("warm", code_root), ("cold", code_root), ("hello", ROOT)):
        output = subprocess.run([sys.executable, "-c", CPU_SCRIPT, mode, str(distinct)], cwd=root, check=True,
                                text=True, env={**environment, "PYTHONPATH": str(root)}, capture_output=True).stdout
        figures.update(json.loads(output.strip().splitlines()[-1]))
    return figures


def profile_uncached_render(code_root: Path, environment: dict, count: int = 100) -> dict:
    """Where one uncached article render spends its time, in process (first renders of each article)."""
    output = subprocess.run([sys.executable, "-c", PROFILE_SCRIPT, str(count)], cwd=code_root, check=True,
                            text=True, env={**environment, "PYTHONPATH": str(code_root)}, capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _seed(environment: dict, articles: int) -> None:
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=environment, check=True, capture_output=True)
    subprocess.run(flask + ["seed-demo", "--articles", str(articles)], cwd=ROOT, env=environment, check=True,
                   capture_output=True)


def measure(label: str, code_root: Path, environment: dict, options, folder: Path, results: dict) -> None:
    """Every run of one checkout (or setting), its memory and its render profile, into results."""
    workers = os.cpu_count() or 1
    with gunicorn_served(environment, code_root, "app:create_app()", workers) as port:
        home = timed_get(port, "/")[2].decode()
        articles = [f"/bai-viet/{slug}" for slug in _article_slugs(port, options.distinct)]
        categories = sorted(set(part for part in _links(home, "/chuyen-muc/")))
    lists = [f"/?trang={page}" for page in range(1, 31)]
    lists += [f"{category}?trang={page}" for category in categories for page in range(1, 6)]
    lists += [f"/tim-kiem?q={query.replace(' ', '+')}" for query in SEARCHES]
    runs = results["runs"]
    prefix = f"{label}: " if label else ""
    with gunicorn_served(environment, code_root, "app:create_app()", workers) as port:
        _warm(port, articles, passes=4)
        runs[prefix + "articles, cache warm"] = _cycle(port, articles, options, folder)
        _warm(port, articles[:1], passes=20)
        runs[prefix + "one hot article"] = _cycle(port, articles[:1], options, folder)
    cold = {**environment, "PAGE_CACHE_SECONDS": "0"}
    with gunicorn_served(cold, code_root, "app:create_app()", workers) as port:
        _warm(port, articles[:20], passes=2)
        runs[prefix + "articles, cache off"] = _cycle(port, articles, options, folder)
        runs[prefix + "lists, cache off"] = _cycle(port, lists, options, folder)
    with gunicorn_served(environment, code_root, "app:create_app()", workers) as port:
        _mixed(port, articles, lists, 2000)
        results["memory"][label or "now"] = _worker_memory(port)
    results["profile"][label or "now"] = profile_uncached_render(code_root, environment)
    results["cpu_us"][label or "now"] = cpu_per_request(code_root, environment, options.distinct)


def _article_slugs(port: int, count: int) -> list[str]:
    slugs: list[str] = []
    page = 1
    while len(slugs) < count:
        html = timed_get(port, f"/?trang={page}")[2].decode()
        found = [link.removeprefix("/bai-viet/") for link in _links(html, "/bai-viet/")]
        if not found:
            break
        slugs += [slug for slug in dict.fromkeys(found) if slug not in slugs]
        page += 1
    return slugs[:count]


def _links(html: str, prefix: str) -> list[str]:
    import re

    return re.findall(rf'href="({re.escape(prefix)}[^"?#/]+)"', html)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", help="a PostgreSQL server: a new database is made on it, then dropped")
    parser.add_argument("--redis", metavar="URL")
    parser.add_argument("--before", type=Path, help="an older checkout to measure in the same run")
    options = parser.parse_args()
    if not os.path.exists(WRK):
        print("wrk is not installed (Debian package `wrk`)", file=sys.stderr)
        return 2
    with throwaway_instance("docbai-long-tail-") as instance, tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "INSTANCE_PATH": str(instance), "TTS_ENGINE": "espeak"}
        for name in ("DATABASE_URL", "REDIS_URL", "STORAGE_DIR"):
            environment.pop(name, None)
        database = _create_database(options.database_url) if options.database_url else None
        if database:
            environment["DATABASE_URL"] = database
        if options.redis:
            empty_redis(options.redis)
            environment["REDIS_URL"] = options.redis
        try:
            _seed(environment, options.articles)
            results = {"articles": options.articles, "distinct": options.distinct, "database": "postgresql" if database else "sqlite",
                       "redis": bool(options.redis), "runs": {}, "memory": {}, "profile": {}, "cpu_us": {}}
            if options.before:
                measure("before", options.before.resolve(), environment, options, Path(folder), results)
                if options.redis:
                    empty_redis(options.redis)
            measure("", ROOT, environment, options, Path(folder), results)
            with gunicorn_served(environment, ROOT, "bench._hello_app:app", os.cpu_count() or 1) as port:
                results["runs"]["hello (ceiling)"] = best_of_rounds(
                    f"http://127.0.0.1:{port}/", options.seconds, options.connections,
                    {"Accept-Encoding": ACCEPT_ENCODING}, options.rounds)
        finally:
            if database:
                _drop_database(options.database_url, database)
    return report(results)


def report(results: dict) -> int:
    ceiling = results["runs"]["hello (ceiling)"]["requests_per_second"]
    print(f"{results['articles']} articles on {results['database']}{' with Redis' if results['redis'] else ''}, "
          f"{results['distinct']} distinct article pages")
    print(f"{'run':40} {'req/s':>9} {'median':>9} {'p99':>9} {'of hello':>9}")
    for name, figures in results["runs"].items():
        figures["share_of_ceiling"] = round(figures["requests_per_second"] / ceiling, 3)
        print(f"{name:40} {figures['requests_per_second']:>9.0f} {figures['median_ms']:>7.2f}ms "
              f"{figures['p99_ms']:>7.2f}ms {figures['share_of_ceiling']:>8.1%}")
    for label, workers in results["memory"].items():
        print(f"memory ({label}) after 2,000 mixed requests:",
              "; ".join(f"{w['rss_mb']} MB RSS, {w['pss_mb']} MB PSS{' ' + ','.join(w['heavy_libraries']) if w['heavy_libraries'] else ''}"
                        for w in workers))
    for label, profile in results["profile"].items():
        print(f"an uncached article render ({label}):", ", ".join(f"{key} {value}" for key, value in profile.items()))
    for label, figures in results.get("cpu_us", {}).items():
        hello = figures["hello"]
        print(f"CPU per request in process ({label}): hello {hello} µs; "
              + ", ".join(f"{name} {value:,} µs ({hello / value:.1%} of hello)" for name, value in figures.items()
                          if name != "hello"))
    misses = []
    targets = {"articles, cache warm": 0.5, "articles, cache off": 0.2, "lists, cache off": 0.2}
    for name, target in targets.items():
        share = results["runs"][name]["share_of_ceiling"]
        if share < target:
            misses.append(f"{name} at {share:.1%} of hello, under {target:.0%}")
    for worker in results["memory"]["now"]:
        if worker["rss_mb"] > 80:
            misses.append(f"a web worker holds {worker['rss_mb']} MB resident, over 80 MB")
        if worker["heavy_libraries"]:
            misses.append(f"a web worker loaded {', '.join(worker['heavy_libraries'])}")
    misses += [f"{name}: {figures['bad_responses']} bad answers"
               for name, figures in results["runs"].items() if figures["bad_responses"]]
    return save_and_report_targets("long_tail", results, misses, "long-tail")


def _create_database(server_url: str) -> str:
    import sqlalchemy as sa

    from app import database_url_with_driver

    url = sa.engine.make_url(database_url_with_driver(server_url))
    name = "docbai_bench_" + uuid.uuid4().hex[:8]
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_database(server_url: str, database_url: str) -> None:
    import sqlalchemy as sa

    from app import database_url_with_driver

    name = sa.engine.make_url(database_url).database
    engine = sa.create_engine(database_url_with_driver(server_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
