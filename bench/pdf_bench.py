"""PDF budgets: cold WeasyPrint render of a short and a long article, a cached request, PDF sizes, and
headless Chromium printing the same print view as the reference, all in one run.

    .venv/bin/python bench/pdf_bench.py [--repeat 5] [--requests 200]

It builds a throw-away instance (SQLite, demo content), serves it on 127.0.0.1 at a random port,
and writes the figures to bench/results/pdf_bench.json and the PDFs beside it. Targets: a long
article renders cold in under 2 s and is served cached in under 20 ms; a text-only PDF stays under
100 KB. The exit status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import (
    CHROMIUM, ONE_CLIENT_SETTINGS, RESULTS, save_and_report_targets, serve_in_thread, throwaway_instance, timed_get,
)

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--no-pdf-header-footer",
]
COLD_TARGET_SECONDS = 2.0
CACHED_TARGET_SECONDS = 0.020
TEXT_ONLY_TARGET_BYTES = 100 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold renders per article")
    parser.add_argument("--requests", type=int, default=200, help="cached requests timed")
    options = parser.parse_args()

    with throwaway_instance("docbai-pdf-bench-") as instance:
        return run(instance, options.repeat, options.requests)


def run(instance: Path, repeat: int, request_count: int) -> int:
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}", **ONE_CLIENT_SETTINGS})
    server = serve_in_thread(app)
    port = server.server_port
    app.config["SITE_URL"] = f"http://127.0.0.1:{port}"
    slugs = create_bench_articles(app)
    RESULTS.mkdir(parents=True, exist_ok=True)

    print(f"WeasyPrint and Chromium on {os.cpu_count()} cores, server http://127.0.0.1:{port}")
    startup = timed_get(port, f"/bai-viet/{slugs['warm-up']}/in.pdf")[0]
    print(f"first render after start (starts the worker server): {startup * 1000:.0f} ms")

    rows, results = [], {"first_render_after_start_s": startup, "articles": {}}
    for name in ("short", "long-text", "long-figures"):
        slug = slugs[name]
        cold = []
        for _ in range(repeat):
            clear_cache(app)
            seconds, status, body = timed_get(port, f"/bai-viet/{slug}/in.pdf")
            assert status == 200, f"{name}: HTTP {status}"
            cold.append(seconds)
        (RESULTS / f"{name}.weasyprint.pdf").write_bytes(body)
        cached = sorted(timed_get(port, f"/bai-viet/{slug}/in.pdf", reuse=True)[0]
                        for _ in range(request_count))
        chromium_seconds, chromium_pdf = chromium_print(port, slug, RESULTS / f"{name}.chromium.pdf")
        figures = {
            "pages": page_count(body),
            "cold_median_s": statistics.median(cold),
            "cold_max_s": max(cold),
            "cached_median_s": statistics.median(cached),
            "cached_p95_s": cached[int(len(cached) * 0.95) - 1],
            "pdf_bytes": len(body),
            "chromium_s": chromium_seconds,
            "chromium_pdf_bytes": len(chromium_pdf),
            "chromium_pages": page_count(chromium_pdf),
        }
        results["articles"][name] = figures
        rows.append((name, figures))

    print_table(rows)
    server.shutdown()
    return save_and_report_targets("pdf_bench", results, check_targets(results["articles"]), "PDF")


def create_bench_articles(app) -> dict[str, str]:
    """A warm-up article, a short notice, and a long report built from demo text, with and without figures."""
    from extensions import db
    from models import Article
    from services.demo.seed import seed_demo
    from services.infra.schema import create_schema

    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], 40)
        demo = db.session.execute(db.select(Article).order_by(Article.id)).scalars().all()
        category = demo[0].category
        paragraphs = [p for article in demo for p in re.findall(r"<p>.*?</p>", article.body_html)]
        figures = [f for article in demo for f in re.findall(r"<figure>.*?</figure>", article.body_html)]
        long_text = "".join(
            (f"<h2>Phần {index // 12 + 1}</h2>" if index % 12 == 0 else "") + paragraph
            for index, paragraph in enumerate(paragraphs[:120])
        )
        with_figures = "".join(
            chunk + (figures[index] if index < 4 and index < len(figures) else "")
            for index, chunk in enumerate(filter(None, re.split(r"(?=<h2>)", long_text)))
        )
        now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        bodies = {
            "warm-up": paragraphs[0],
            "short": "".join(paragraphs[:5]),
            "long-text": long_text,
            "long-figures": with_figures,
        }
        for name, body in bodies.items():
            db.session.add(Article(
                title=f"Báo cáo đo hiệu năng in ({name}): kết quả thực hiện nhiệm vụ phát triển KT-XH",
                slug=f"do-hieu-nang-in-{name}", summary="Bài dùng để đo thời gian tạo tệp PDF.",
                body_html=body, author="Ban biên tập", published_at=now, category=category,
            ))
        db.session.commit()
        words = {name: len(re.sub(r"<[^>]+>", " ", body).split()) for name, body in bodies.items()}
    print("words per article:", words)
    return {name: f"do-hieu-nang-in-{name}" for name in bodies}


def clear_cache(app) -> None:
    shutil.rmtree(app.config["PDF_CACHE_DIR"], ignore_errors=True)
    os.makedirs(app.config["PDF_CACHE_DIR"], exist_ok=True)


def chromium_print(port: int, slug: str, output: Path) -> tuple[float, bytes]:
    """Seconds for headless Chromium to print the print view to PDF, and the PDF."""
    profile = tempfile.mkdtemp(prefix="docbai-chromium-")
    try:
        started = time.perf_counter()
        subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={output}",
             f"http://127.0.0.1:{port}/bai-viet/{slug}/in"],
            check=True, capture_output=True, timeout=120,
        )
        return time.perf_counter() - started, output.read_bytes()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def print_table(rows) -> None:
    print()
    print(f"{'article':<13} {'pages':>5} {'cold med':>9} {'cold max':>9} {'cached med':>11} {'cached p95':>11} "
          f"{'PDF KB':>7} | {'Chromium':>9} {'ratio':>6} {'KB':>6} {'pages':>5}")
    for name, f in rows:
        print(f"{name:<13} {f['pages']:>5} {f['cold_median_s'] * 1000:>7.0f}ms {f['cold_max_s'] * 1000:>7.0f}ms "
              f"{f['cached_median_s'] * 1000:>9.1f}ms {f['cached_p95_s'] * 1000:>9.1f}ms "
              f"{f['pdf_bytes'] / 1024:>7.1f} | {f['chromium_s'] * 1000:>7.0f}ms "
              f"{f['chromium_s'] / f['cold_median_s']:>5.1f}x {f['chromium_pdf_bytes'] / 1024:>6.1f} "
              f"{f['chromium_pages']:>5}")
    print("ratio = Chromium time / WeasyPrint cold median (Chromium includes its own start-up).")


def check_targets(articles: dict) -> list[str]:
    misses = []
    for name in ("long-text", "long-figures"):
        figures = articles[name]
        if figures["cold_median_s"] >= COLD_TARGET_SECONDS:
            misses.append(f"{name}: cold render {figures['cold_median_s']:.2f} s (target < {COLD_TARGET_SECONDS} s)")
        if figures["cached_median_s"] >= CACHED_TARGET_SECONDS:
            misses.append(f"{name}: cached request {figures['cached_median_s'] * 1000:.1f} ms (target < 20 ms)")
    for name in ("short", "long-text"):
        if articles[name]["pdf_bytes"] >= TEXT_ONLY_TARGET_BYTES:
            misses.append(f"{name}: text-only PDF {articles[name]['pdf_bytes'] / 1024:.0f} KB (target < 100 KB)")
    return misses


if __name__ == "__main__":
    sys.exit(main())
