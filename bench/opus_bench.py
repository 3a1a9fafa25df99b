"""The data saver's Opus against the MP3: bytes per minute of speech, and the first sound on a slow link.

    .venv/bin/python bench/opus_bench.py [--articles 12] [--repeat 3] [--kbps 400] [--rtt-ms 400]

It builds a throw-away instance (SQLite, demo content, espeak-ng), makes the audio of a few demo articles the way
their jobs do (every sentence as MP3 and Opus; the whole article's Opus, which the site makes when first asked for),
and measures:

- bytes per minute of speech, MP3 and Opus, over every sentence file (each with its own headers, as the player
  fetches them) and over the whole-article files (the page's <audio> without JavaScript);
- the first sound on a link of --kbps (each way) and --rtt-ms round trip, simulated by a TCP proxy of its own
  (asyncio, in this process) in front of gunicorn: it holds each new connection one round trip (the TCP handshake), delays every chunk
  by half the round trip each way and paces the bytes at the link's rate. "First sound" is what the player does
  after "Đọc bài": the segment list (nghe.json, gzip, as browsers ask), then the whole first sentence (the title),
  on one kept-alive connection: with the data saver its Opus, without it its MP3. For readers without JavaScript,
  the time until the whole file's first two seconds of audio have arrived, and the time to the whole file. The
  audio is made beforehand (a published article's is): the link is what is measured. No TLS: a real HTTPS
  connection adds one more round trip to both.

Targets: Opus at most 100 KB (100,000 bytes) a minute, sentences and whole files alike; its first sound sooner
than the MP3's. Writes bench/results/opus_bench.json; exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import io
import json
import os
import statistics
import threading
import time
from pathlib import Path

from _support import ONE_CLIENT_SETTINGS, gunicorn_served, save_and_report_targets, throwaway_instance

OPUS_BYTES_PER_MINUTE_TARGET = 100_000
PACKET_BYTES = 1460  # one TCP segment's payload: the proxy paces the link in these
FIRST_SOUND_SECONDS = 2.0  # of audio, for the whole file without JavaScript


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=12, help="demo articles voiced and measured")
    parser.add_argument("--repeat", type=int, default=3, help="first-sound runs of each kind (the median is kept)")
    parser.add_argument("--kbps", type=float, default=400.0, help="the link's rate each way, kbit/s")
    parser.add_argument("--rtt-ms", type=float, default=400.0, help="the link's round trip, ms")
    options = parser.parse_args()
    os.environ.pop("TTS_ENGINE", None)
    with throwaway_instance("docbai-opus-bench-") as instance:
        return run(instance, options)


def run(instance: Path, options) -> int:
    from app import create_app

    environment = dict(os.environ, INSTANCE_PATH=str(instance), TTS_ENGINE="espeak", LOG_LEVEL="warning",
                       **ONE_CLIENT_SETTINGS)
    os.environ.update(environment)
    app = create_app()  # the instance's own SQLite and caches, which gunicorn's workers then serve
    slugs, making_seconds = voice_demo_articles(app, options.articles)
    results: dict = {"articles": len(slugs), "making_seconds": making_seconds,
                     "link": {"kbps": options.kbps, "rtt_ms": options.rtt_ms}}
    results["bytes_per_minute"] = bytes_per_minute(app, slugs)

    # gunicorn with the repo's configuration, as deployed: the player's second request rides the connection the
    # first one opened (its keep-alive), where the development server would close it after every answer.
    with gunicorn_served(environment) as port:
        proxy = ThrottlingProxy(port, options.kbps * 1000 / 8, options.rtt_ms / 1000)
        proxy.start()
        try:
            results["first_sound"] = first_sound(proxy.port, port, slugs[0], options.repeat)
        finally:
            proxy.stop()
    print_report(results)
    return save_and_report_targets("opus_bench", results, check_targets(results), "Opus")


def voice_demo_articles(app, count: int) -> tuple[list[str], float]:
    """Seed the demo and make the audio of its newest `count` articles as their job does; their slugs, and the
    seconds it took."""
    from extensions import db
    from models import Article
    from services.demo.seed import seed_demo
    from services.infra.schema import create_schema

    with app.app_context():
        create_schema()
        seed_demo(app.config["MEDIA_ROOT"], count)
        articles = db.session.execute(db.select(Article).order_by(Article.id)).scalars().all()[:count]
        speech = app.extensions["docbai"].speech
        started = time.perf_counter()
        for article in articles:
            speech.whole_opus(article)  # its audio (MP3, sentences' Opus), then the whole Opus, made on request
        return [article.slug for article in articles], time.perf_counter() - started


def bytes_per_minute(app, slugs: list[str]) -> dict:
    """Bytes per minute of speech of the sentence files and of the whole files, MP3 and Opus; durations read by
    mutagen from each file's own headers."""
    from mutagen.mp3 import MP3
    from mutagen.oggopus import OggOpus

    from extensions import db
    from models import Article

    sizes = {kind: {"bytes": 0, "seconds": 0.0, "files": 0} for kind in ("mp3_sentences", "opus_sentences",
                                                                          "mp3_whole", "opus_whole")}
    worst_opus_article = 0.0

    def add(kind: str, path: Path, seconds: float) -> None:
        sizes[kind]["bytes"] += path.stat().st_size
        sizes[kind]["seconds"] += seconds
        sizes[kind]["files"] += 1

    with app.app_context():
        speech = app.extensions["docbai"].speech
        for slug in slugs:
            article = db.session.execute(db.select(Article).filter_by(slug=slug)).scalar_one()
            whole = speech.cached_whole_audio(article)
            for index, _ in enumerate(speech.segments(article)):
                mp3, opus = speech.cached_segment(article, index), speech.cached_opus_segment(article, index)
                if mp3 is None:
                    continue  # a segment with nothing to say
                add("mp3_sentences", mp3.path, MP3(mp3.path).info.length)
                add("opus_sentences", opus.path, OggOpus(opus.path).info.length)
            mp3_seconds = sum(MP3(path).info.length for path in whole.paths)
            sizes["mp3_whole"]["bytes"] += whole.size_bytes
            sizes["mp3_whole"]["seconds"] += mp3_seconds
            sizes["mp3_whole"]["files"] += 1
            opus_whole = speech.cached_whole_opus(article)
            seconds = OggOpus(opus_whole.path).info.length
            add("opus_whole", opus_whole.path, seconds)
            worst_opus_article = max(worst_opus_article, opus_whole.path.stat().st_size / seconds * 60)
    for figures in sizes.values():
        figures["bytes_per_minute"] = figures["bytes"] / figures["seconds"] * 60
    sizes["opus_whole"]["worst_article_bytes_per_minute"] = worst_opus_article
    return sizes


class ThrottlingProxy:
    """A TCP proxy on 127.0.0.1 that behaves like a slow link: each new connection waits one round trip (the
    handshake), every chunk arrives half a round trip after it was sent, and each direction carries at most
    `rate` bytes a second, paced a TCP segment at a time. It runs an asyncio loop in a thread of its own."""

    def __init__(self, upstream_port: int, rate_bytes_per_second: float, rtt_seconds: float):
        self.upstream_port = upstream_port
        self.rate = rate_bytes_per_second
        self.rtt = rtt_seconds
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _close(self) -> None:
        self._server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _connection(self, client_reader, client_writer) -> None:
        try:
            await asyncio.sleep(self.rtt)  # SYN, SYN-ACK: the client's first byte leaves one round trip later
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            await asyncio.gather(
                self._direction(client_reader, upstream_writer), self._direction(upstream_reader, client_writer),
                return_exceptions=True,
            )
        except asyncio.CancelledError:
            client_writer.close()  # the proxy is stopping

    async def _direction(self, reader, writer) -> None:
        # Chunks are read as they come and stamped; a second task hands them on after the delay, at the rate.
        chunks: asyncio.Queue = asyncio.Queue()

        async def read() -> None:
            while data := await reader.read(64 * 1024):
                chunks.put_nowait((self._loop.time(), data))
            chunks.put_nowait((self._loop.time(), b""))

        reading = asyncio.ensure_future(read())
        link_free = 0.0  # when the link has sent what it was given
        try:
            while True:
                sent_at, data = await chunks.get()
                if not data:
                    break
                for start in range(0, len(data), PACKET_BYTES):
                    packet = data[start:start + PACKET_BYTES]
                    link_free = max(link_free, sent_at) + len(packet) / self.rate
                    delay = link_free + self.rtt / 2 - self._loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    writer.write(packet)
                    await writer.drain()
        finally:
            reading.cancel()
            writer.close()


def _get(connection: http.client.HTTPConnection, path: str, headers: dict, until_bytes: int | None = None):
    """GET path on a kept-alive connection: (seconds to the first `until_bytes` of the body, or None, seconds to
    the whole body, the status, the body)."""
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body, first = b"", None
    while chunk := response.read(4096):
        body += chunk
        if first is None and until_bytes is not None and len(body) >= until_bytes:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started, response.status, body


def first_sound(port: int, direct_port: int, slug: str, repeat: int) -> dict:
    """Seconds to the first sound through the slow link: the player (list, then the first sentence) and the page's
    own <audio> without JavaScript (the first two seconds of the whole file), with and without the data saver."""
    from mutagen.mp3 import MP3
    from mutagen.oggopus import OggOpus

    figures: dict = {}
    for name, saving in (("mp3", False), ("opus", True)):
        headers = {"Accept-Encoding": "gzip", "User-Agent": "opus-bench"}
        if saving:
            headers["Save-Data"] = "on"
        player, whole_first, whole_all, first_bytes = [], [], [], []
        for _ in range(repeat):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            started = time.perf_counter()
            _, _, status, body = _get(connection, f"/bai-viet/{slug}/nghe.json", headers)
            assert status == 200, f"segment list: HTTP {status}"
            manifest = json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
            segment = manifest["segments"][0]
            url = segment["sources"][0]["url"] if saving else segment["url"]
            _, _, status, audio = _get(connection, url, {**headers, "Accept-Encoding": "identity"})
            assert status == 200, f"first sentence: HTTP {status}"
            player.append(time.perf_counter() - started)
            first_bytes.append(len(audio))
            connection.close()

            whole_url = manifest["audio"].replace(".mp3", ".opus") if saving else manifest["audio"]
            probe = http.client.HTTPConnection("127.0.0.1", direct_port, timeout=120)  # its length, not through the link
            _, _, _, whole = _get(probe, whole_url, {"Accept-Encoding": "identity"})
            probe.close()
            length = OggOpus(io.BytesIO(whole)).info.length if saving else MP3(io.BytesIO(whole)).info.length
            wanted = int(len(whole) * FIRST_SOUND_SECONDS / length) + 1
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            first, total, status, _ = _get(connection, whole_url, {"Accept-Encoding": "identity"}, wanted)
            assert status == 200, f"whole file: HTTP {status}"
            connection.close()
            whole_first.append(first)
            whole_all.append(total)
        figures[name] = {
            "player_first_sound_s": statistics.median(player),
            "first_sentence_bytes": first_bytes[0],
            "whole_file_first_2s_s": statistics.median(whole_first),
            "whole_file_all_s": statistics.median(whole_all),
            "whole_file_bytes": len(whole),
        }
    return figures


def check_targets(results: dict) -> list[str]:
    misses = []
    sizes, first = results["bytes_per_minute"], results["first_sound"]
    for kind in ("opus_sentences", "opus_whole"):
        if sizes[kind]["bytes_per_minute"] > OPUS_BYTES_PER_MINUTE_TARGET:
            misses.append(f"{kind}: {sizes[kind]['bytes_per_minute']:,.0f} bytes a minute, over 100,000")
    if sizes["opus_whole"]["worst_article_bytes_per_minute"] > OPUS_BYTES_PER_MINUTE_TARGET:
        misses.append("an article's whole Opus is over 100,000 bytes a minute")
    if first["opus"]["player_first_sound_s"] >= first["mp3"]["player_first_sound_s"]:
        misses.append("the player's first sound is no sooner with Opus than with the MP3")
    return misses


def print_report(results: dict) -> None:
    sizes, first, link = results["bytes_per_minute"], results["first_sound"], results["link"]
    print(f"\n{results['articles']} demo articles voiced (MP3 and Opus) in {results['making_seconds']:.1f} s")
    print("bytes per minute of speech")
    for kind, figures in sizes.items():
        print(f"  {kind:16} {figures['bytes_per_minute'] / 1000:7.1f} KB/min  ({figures['files']} files, "
              f"{figures['seconds'] / 60:.1f} min)")
    print(f"first sound on a {link['kbps']:g} kbit/s, {link['rtt_ms']:g} ms link")
    for name in ("mp3", "opus"):
        figures = first[name]
        print(f"  {name:4} player (list + first sentence, {figures['first_sentence_bytes']:,} B) "
              f"{figures['player_first_sound_s'] * 1000:6.0f} ms; without JavaScript: first 2 s of audio "
              f"{figures['whole_file_first_2s_s'] * 1000:6.0f} ms, the whole file ({figures['whole_file_bytes']:,} B) "
              f"{figures['whole_file_all_s']:5.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())
