"""The daily bulletin: time to make a 10-minute bulletin cold (no segment voiced yet) and with its articles'
segments already made (they were listened to), time for an editor to hear its start (the opening and the first
item), and the MP3's size per minute.

    .venv/bin/python bench/bulletin_bench.py [--minutes 10] [--articles 60]

It builds a throw-away instance (SQLite, demo content, espeak-ng: the engine every server has) and writes the
figures to bench/results/bulletin_bench.json. Targets: the start heard within 2 s once the articles are voiced,
a 10-minute bulletin made within 60 s once they are, and at most 400 KB a minute (48 kbps is 360 KB).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import time

from _support import save_and_report_targets, throwaway_instance

PREVIEW_TARGET_SECONDS = 2.0
WARM_TARGET_SECONDS = 60.0
BYTES_PER_MINUTE_TARGET = 400 * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="the bulletin's length to make")
    parser.add_argument("--articles", type=int, default=60, help="demo articles to choose from")
    options = parser.parse_args()
    with throwaway_instance("docbai-bulletin-bench-") as instance:
        return run(instance, options.minutes, options.articles)


def run(instance, minutes: float, article_count: int) -> int:
    from app import create_app
    from extensions import db
    from services.content.articles import published_articles
    from services.demo.seed import seed_demo
    from services.infra.schema import create_schema
    from web.bulletins import bulletin_desk

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}", "TTS_ENGINE": "espeak"})
    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], article_count=article_count)
        desk = bulletin_desk()
        speech = desk.speech
        # Whole articles, newest first, until the estimate reaches the length asked for.
        chosen = []
        for article in db.session.execute(published_articles()).scalars():
            chosen.append(article)
            bulletin = desk.compose(dt.date(2026, 12, 7), chosen, {item.id: "whole" for item in chosen})
            if desk.estimate_seconds(bulletin) >= minutes * 60:
                break
        db.session.commit()
        print(f"{len(chosen)} articles, estimated {desk.estimate_seconds(bulletin) / 60:.1f} minutes; espeak-ng on "
              f"{os.cpu_count()} cores")

        started = time.perf_counter()
        cold = desk.make(bulletin)
        cold_seconds = time.perf_counter() - started
        db.session.commit()
        print(f"cold (every segment voiced now): {cold_seconds:.1f} s for {cold.duration_seconds / 60:.1f} minutes, "
              f"{_per_ten_minutes(cold_seconds, cold.duration_seconds):.1f} s per 10 minutes")

        # Another day with the same articles: their segments (and the transitions, the closing) are made, the
        # opening with its date is new, as on every day.
        shutil.rmtree(app.config["BULLETIN_CACHE_DIR"], ignore_errors=True)
        speech.prewarm(chosen)
        warm_bulletin = desk.compose(dt.date(2026, 12, 8), chosen, {item.id: "whole" for item in chosen})
        db.session.commit()
        started = time.perf_counter()
        preview = desk.preview(warm_bulletin)
        preview_seconds = time.perf_counter() - started
        started = time.perf_counter()
        warm = desk.make(warm_bulletin)
        warm_seconds = time.perf_counter() - started
        db.session.commit()
        print(f"an editor hears the start (opening and first item, {preview.duration_seconds:.0f} s of audio): "
              f"{preview_seconds:.2f} s")
        print(f"warm (articles already voiced): {warm_seconds:.1f} s for {warm.duration_seconds / 60:.1f} minutes, "
              f"{_per_ten_minutes(warm_seconds, warm.duration_seconds):.1f} s per 10 minutes")

    bytes_per_minute = warm.size_bytes / (warm.duration_seconds / 60)
    print(f"MP3: {bytes_per_minute / 1000:.0f} KB a minute ({warm.size_bytes / 1e6:.2f} MB in all)")
    results = {
        "articles": len(chosen),
        "minutes": round(warm.duration_seconds / 60, 2),
        "cold_seconds": round(cold_seconds, 2),
        "warm_seconds": round(warm_seconds, 2),
        # The articles are chosen by the estimate, which is cautious before any sentence is voiced: the bulletin
        # comes out a little shorter than asked, so the times are also given per 10 minutes of bulletin.
        "cold_seconds_per_10_minutes": round(_per_ten_minutes(cold_seconds, cold.duration_seconds), 2),
        "warm_seconds_per_10_minutes": round(_per_ten_minutes(warm_seconds, warm.duration_seconds), 2),
        "preview_seconds": round(preview_seconds, 3),
        "preview_audio_seconds": round(preview.duration_seconds, 1),
        "bytes_per_minute": round(bytes_per_minute),
        "bytes": warm.size_bytes,
        "engine": warm.engine,
        "cpus": os.cpu_count(),
    }
    misses = []
    if preview_seconds > PREVIEW_TARGET_SECONDS:
        misses.append(f"the start heard after {preview_seconds:.2f} s (target {PREVIEW_TARGET_SECONDS} s)")
    if _per_ten_minutes(warm_seconds, warm.duration_seconds) > WARM_TARGET_SECONDS:
        misses.append(f"warm making took {warm_seconds:.1f} s (target {WARM_TARGET_SECONDS} s per 10 minutes)")
    if bytes_per_minute > BYTES_PER_MINUTE_TARGET:
        misses.append(f"{bytes_per_minute / 1000:.0f} KB a minute (target {BYTES_PER_MINUTE_TARGET / 1000:.0f})")
    return save_and_report_targets("bulletin_bench", results, misses, "bulletin")


def _per_ten_minutes(seconds: float, audio_seconds: float) -> float:
    return seconds * 600 / audio_seconds


if __name__ == "__main__":
    raise SystemExit(main())
