"""Helpers several test modules share (imported by name: pytest puts tests/ on the path)."""
import socket

import lameenc

from services.speech import Narrator, audio_cache
from services.speech.narrator import CachedAudio


def redis_running() -> bool:
    """Whether the Redis the RQ, view-count and two-host tests need answers at 127.0.0.1:6379."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def silent_mp3(seconds: float = 1.0, sample_rate: int = 22050, bit_rate: int = 32) -> bytes:
    """A mono MP3 of silence: a stand-in voice's answer when the test is about HTTP, not sound."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bit_rate)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    return bytes(encoder.encode(b"\0\0" * int(seconds * sample_rate)) + encoder.flush())


def use_voice(app, engine):
    """Make engine the app's only voice (its audio cached in the app's folder), and give it back."""
    app.extensions["docbai"].speech.narrator = Narrator(audio_cache(app.config["AUDIO_CACHE_DIR"]), [engine])
    return engine


def voice_one(narrator: Narrator, text: str) -> CachedAudio:
    """One sentence voiced now through the narrator's one way of making audio (an article of one segment)."""
    audio = narrator.article_audio([text])
    engine = next(engine for engine in narrator.engines if engine.name == audio.engine)
    return CachedAudio(audio.paths[0], narrator.segment_key(engine, text), audio.engine)


def note_run(path: str, seconds: float = 2.0) -> None:
    """A job for the tests of racing workers: note this process's id in path, then take a while."""
    import os
    import time

    with open(path, "a", encoding="ascii") as file:
        file.write(f"{os.getpid()}\n")
    time.sleep(seconds)


def add_lexicon_entries(app, tsv: str) -> None:
    """Add the editors' lexicon entries of TSV text to the app's database, in force in the app at once."""
    from contextlib import nullcontext

    from flask import has_app_context

    from extensions import db
    from services.newsroom.lexicon import import_tsv

    # Inside the test's own app context, its session: another one would wait on the first's write lock (SQLite).
    with nullcontext() if has_app_context() else app.app_context():
        import_tsv(tsv, "test")
        db.session.commit()
        app.extensions["docbai"].speech.lexicon.changed()


def slow_writer(halfway, finish):
    """A file cache's write that stops halfway (setting halfway) until finish is set: for what others see meanwhile."""

    def write(file):
        file.write(b"first half ")
        file.flush()
        halfway.set()
        finish.wait(5)
        file.write(b"second half")

    return write
