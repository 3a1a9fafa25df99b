"""Speech budgets: time to the first playable audio of a long article (cold and cached), each engine's
real-time factor, audio bytes per minute, and the cost of a cached audio request beside a static file.

    .venv/bin/python bench/speech_bench.py [--repeat 5] [--requests 200]

It builds a throw-away instance (SQLite, demo content), serves it on 127.0.0.1 at a random port and
writes the figures to bench/results/speech_bench.json. "First playable audio" is what the player does
after "Đọc bài": fetch the segment list, then segment 0 (the title); readers without JavaScript fetch
the whole file instead, which is timed too. gTTS needs Google: when it cannot be reached (as on a
machine without internet) the bench says so and times what that costs TTS_ENGINE=auto instead.
Targets: first audio under 1 s with espeak-ng, cached requests under 20 ms, at most 240 KB per minute
of speech. The exit status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from _support import (
    ONE_CLIENT_SETTINGS, RESULTS, save_and_report_targets, serve_in_thread, throwaway_instance, timed_get,
)
FIRST_AUDIO_TARGET_SECONDS = 1.0
CACHED_TARGET_SECONDS = 0.020
BYTES_PER_MINUTE_TARGET = 240_000
LONG_ARTICLE_PARAGRAPHS = 60
SLUG = "do-hieu-nang-doc-bai"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold runs of each cold measurement")
    parser.add_argument("--requests", type=int, default=200, help="cached requests timed")
    options = parser.parse_args()

    os.environ.pop("TTS_ENGINE", None)
    with throwaway_instance("docbai-speech-bench-") as instance:
        return run(instance, options.repeat, options.requests)


def run(instance: Path, repeat: int, request_count: int) -> int:
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}", "TTS_ENGINE": "espeak",
                      **ONE_CLIENT_SETTINGS})
    server = serve_in_thread(app)
    port = server.server_port
    segments = create_long_article(app)
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"espeak-ng on {os.cpu_count()} cores, server http://127.0.0.1:{port}")
    words = sum(len(text.split()) for text in segments)
    print(f"long article: {len(segments)} segments, {words} spoken words, "
          f"{sum(len(text) for text in segments)} characters")

    results: dict = {"segments": len(segments), "spoken_words": words}
    timed_get(port, f"/bai-viet/{SLUG}")  # the page: warms imports and the database, as a reader's visit would

    cold_first, cold_whole = [], []
    for _ in range(repeat):
        reset_audio(app)
        cold_first.append(first_playable_audio(port))
        reset_audio(app)
        seconds, whole = whole_file(port)
        cold_whole.append(seconds)
    cached_first = [first_playable_audio(port, reuse=True) for _ in range(20)]
    results["first_audio"] = {
        "player_cold_median_s": statistics.median(cold_first),
        "player_cold_max_s": max(cold_first),
        "player_cached_median_s": statistics.median(cached_first),
        "whole_file_cold_median_s": statistics.median(cold_whole),
        "whole_file_cold_max_s": max(cold_whole),
    }

    results["engines"] = engine_figures(segments)
    duration = audio_seconds(whole)
    results["audio"] = {
        "whole_file_bytes": len(whole),
        "whole_file_seconds": duration,
        "bytes_per_minute": len(whole) / (duration / 60),
    }
    results["cached_requests"] = cached_request_costs(port, request_count)
    results["auto_offline"] = auto_mode_offline_cost(app, port, repeat)

    print_report(results)
    server.shutdown()
    return save_and_report_targets("speech_bench", results, check_targets(results), "speech")


def create_long_article(app) -> list[str]:
    """A long report built from the demo text (headings every twelve paragraphs); returns its spoken segments."""
    from extensions import db
    from models import Article
    from services.demo.seed import seed_demo
    from services.infra.schema import create_schema

    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], 40)
        demo = db.session.execute(db.select(Article).order_by(Article.id)).scalars().all()
        paragraphs = [p for article in demo for p in re.findall(r"<p>.*?</p>", article.body_html)]
        body = "".join(
            (f"<h2>Phần {index // 12 + 1}</h2>" if index % 12 == 0 else "") + paragraph
            for index, paragraph in enumerate(paragraphs[:LONG_ARTICLE_PARAGRAPHS])
        )
        article = Article(
            title="Báo cáo kết quả thực hiện nhiệm vụ phát triển KT-XH năm 2023, phương hướng năm 2024",
            slug=SLUG, summary="Bài dùng để đo thời gian đọc bài.", body_html=body, author="Ban biên tập",
            published_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1), category=demo[0].category,
        )
        db.session.add(article)
        db.session.commit()
        return list(app.extensions["docbai"].speech.segments(article))


def reset_audio(app) -> None:
    """Forget every piece of audio and every spoken text the process remembers: the next request is cold."""
    from services.speech.article_audio import _spoken

    # Audio still being made in the background (the rest of the article after its first sentence) would
    # write into the folder being emptied.
    app.extensions["docbai"].jobs.drain(timeout=300)
    shutil.rmtree(app.config["AUDIO_CACHE_DIR"], ignore_errors=True)
    os.makedirs(app.config["AUDIO_CACHE_DIR"], exist_ok=True)
    _spoken.cache_clear()


def whole_file(port: int) -> tuple[float, bytes]:
    """Seconds from the first request for the whole MP3 to its bytes, and the bytes: a first request is
    answered 202 ("đang chuẩn bị") while the file is made, and asked again, as the page's link does."""
    started = time.perf_counter()
    while True:
        _, status, body = timed_get(port, f"/bai-viet/{SLUG}/nghe.mp3")
        if status == 200:
            return time.perf_counter() - started, body
        assert status == 202, f"whole article: HTTP {status}"
        time.sleep(0.1)


def first_playable_audio(port: int, reuse: bool = False) -> float:
    """Seconds from the player's first request to the whole first segment received: list, then segment 0."""
    started = time.perf_counter()
    _, status, body = timed_get(port, f"/bai-viet/{SLUG}/nghe.json", reuse)
    assert status == 200, f"manifest: HTTP {status}"
    first_url = json.loads(body)["segments"][0]["url"]
    # A segment not ready within the server's wait is answered 202 ("đang chuẩn bị"); the player asks again.
    while (status := timed_get(port, first_url, reuse)[1]) == 202:
        time.sleep(0.1)
    assert status == 200, f"segment 0: HTTP {status}"
    return time.perf_counter() - started


def engine_figures(segments: list[str]) -> dict:
    """Real-time factor of each engine (synthesis seconds per second of speech) over the article's segments."""
    from services.speech import EspeakEngine, GTTSEngine, SpeechError

    figures = {}
    espeak = EspeakEngine()
    synthesis = speech = 0.0
    for text in segments:
        started = time.perf_counter()
        mp3 = espeak.synthesize(text)
        synthesis += time.perf_counter() - started
        speech += audio_seconds(mp3)
    figures["espeak"] = {
        "real_time_factor": synthesis / speech,
        "synthesis_s": synthesis,
        "speech_s": speech,
        "first_segment_s": timed(lambda: espeak.synthesize(segments[0])),
    }
    started = time.perf_counter()
    try:
        mp3 = GTTSEngine(timeout=(3.05, 10.0)).synthesize(segments[0])
        seconds = time.perf_counter() - started
        figures["gtts"] = {"first_segment_s": seconds, "real_time_factor": seconds / audio_seconds(mp3)}
    except SpeechError as error:
        figures["gtts"] = {"unreachable": str(error), "failed_after_s": time.perf_counter() - started}
    return figures


def cached_request_costs(port: int, request_count: int) -> dict:
    """Median and 95th percentile of cached audio requests, beside a static file served by the same server."""
    paths = {
        "static_file": "/static/js/player.js",
        "segment_list": f"/bai-viet/{SLUG}/nghe.json",
        "segment_0": f"/bai-viet/{SLUG}/nghe/0.mp3",
        "whole_file": f"/bai-viet/{SLUG}/nghe.mp3",
    }
    costs = {}
    for name, path in paths.items():
        timed_get(port, path, True)
        samples = sorted(timed_get(port, path, True)[0] for _ in range(request_count))
        costs[name] = {"median_s": statistics.median(samples), "p95_s": samples[int(len(samples) * 0.95) - 1]}
    samples = sorted(
        timed_get(port, paths["whole_file"], True, {"Range": "bytes=100000-165535"})[0] for _ in range(request_count)
    )
    costs["whole_file_range_64k"] = {"median_s": statistics.median(samples), "p95_s": samples[int(len(samples) * 0.95) - 1]}
    reference = costs["static_file"]["median_s"]
    for figures in costs.values():
        figures["ratio_to_static"] = figures["median_s"] / reference
    return costs


def auto_mode_offline_cost(app, port: int, repeat: int) -> dict:
    """What TTS_ENGINE=auto costs when Google is unreachable: the first request tries it, the breaker spares the rest."""
    from services.speech import GOOGLE_BREAKER, narrator_for

    speech = app.extensions["docbai"].speech
    speech.narrator = narrator_for("auto", app.config["AUDIO_CACHE_DIR"])
    tripped, skipped = [], []
    for _ in range(repeat):
        reset_audio(app)
        GOOGLE_BREAKER.record_success()  # closed: this request tries Google first
        tripped.append(first_playable_audio(port))
        reset_audio(app)
        skipped.append(first_playable_audio(port))  # open now: straight to espeak-ng
    engine = speech.narrator.article_audio(["Xin chào."]).engine
    speech.narrator = narrator_for("espeak", app.config["AUDIO_CACHE_DIR"])
    return {
        "first_audio_google_tried_median_s": statistics.median(tripped),
        "first_audio_breaker_open_median_s": statistics.median(skipped),
        "engine_used": engine,
    }


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def audio_seconds(mp3: bytes) -> float:
    import io

    from mutagen.mp3 import MP3

    return MP3(io.BytesIO(mp3)).info.length


def print_report(results: dict) -> None:
    first, engines, audio = results["first_audio"], results["engines"], results["audio"]
    ms = lambda seconds: f"{seconds * 1000:.1f} ms"  # noqa: E731
    print("\nfirst playable audio (player: segment list + segment 0)")
    print(f"  cold   median {ms(first['player_cold_median_s'])}, max {ms(first['player_cold_max_s'])}")
    print(f"  cached median {ms(first['player_cached_median_s'])}")
    print(f"whole article file (no JavaScript): cold median {ms(first['whole_file_cold_median_s'])}, "
          f"max {ms(first['whole_file_cold_max_s'])}")
    espeak = engines["espeak"]
    print(f"\nespeak-ng: real-time factor {espeak['real_time_factor']:.4f} "
          f"({espeak['synthesis_s']:.2f} s for {espeak['speech_s']:.0f} s of speech); "
          f"title alone {ms(espeak['first_segment_s'])}")
    gtts = engines["gtts"]
    if "unreachable" in gtts:
        print(f"gTTS: Google unreachable from this machine (failed after {ms(gtts['failed_after_s'])}): "
              f"{gtts['unreachable'][:120]}")
    else:
        print(f"gTTS: real-time factor {gtts['real_time_factor']:.3f}, title {ms(gtts['first_segment_s'])}")
    print(f"\naudio: {audio['whole_file_bytes'] / 1000:.0f} KB for {audio['whole_file_seconds'] / 60:.1f} min "
          f"= {audio['bytes_per_minute'] / 1000:.1f} KB per minute")
    print("\ncached requests (keep-alive)          median      p95   × static file")
    for name, figures in results["cached_requests"].items():
        print(f"  {name:<30} {ms(figures['median_s']):>10} {ms(figures['p95_s']):>9} {figures['ratio_to_static']:>8.2f}")
    auto = results["auto_offline"]
    print(f"\nTTS_ENGINE=auto, Google unreachable: first audio {ms(auto['first_audio_google_tried_median_s'])} "
          f"when Google is tried, {ms(auto['first_audio_breaker_open_median_s'])} once the breaker is open "
          f"(engine used: {auto['engine_used']})")


def check_targets(results: dict) -> list[str]:
    misses = []
    first = results["first_audio"]["player_cold_max_s"]
    if first > FIRST_AUDIO_TARGET_SECONDS:
        misses.append(f"cold first audio {first:.2f} s > {FIRST_AUDIO_TARGET_SECONDS} s")
    for name, figures in results["cached_requests"].items():
        if name != "static_file" and figures["median_s"] > CACHED_TARGET_SECONDS:
            misses.append(f"cached {name} {figures['median_s'] * 1000:.1f} ms > {CACHED_TARGET_SECONDS * 1000:.0f} ms")
    per_minute = results["audio"]["bytes_per_minute"]
    if per_minute > BYTES_PER_MINUTE_TARGET:
        misses.append(f"{per_minute / 1000:.1f} KB per minute > {BYTES_PER_MINUTE_TARGET / 1000:.0f} KB")
    return misses


if __name__ == "__main__":
    sys.exit(main())
