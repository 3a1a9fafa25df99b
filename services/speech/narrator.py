"""The narrator: picks an engine, falls back when Google is away, and keeps every piece of audio in the cache."""
from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from services.files import FileCache, cache_key

from .engines import (
    EspeakEngine,
    GTTSEngine,
    NothingToSpeak,
    SpeechEngine,
    SpeechError,
    is_speakable,
    require_speakable,
)
from .piper import PiperEngine, find_voice

ENGINE_SETTINGS = ("auto", "piper", "gtts", "espeak")
AUDIO_SUFFIX = ".mp3"


class CircuitBreaker:
    """After a failure, says "skip this service" for a cool-down period, so an offline server stops waiting on it."""

    # Hand-written: one failure is enough to trip it, and it needs an injectable clock for tests; a
    # library such as pybreaker would be a dependency for these few lines.
    def __init__(self, cooldown_seconds: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self._open_until: float | None = None
        self._lock = threading.Lock()

    def allows(self) -> bool:
        """True unless the service failed less than cooldown_seconds ago."""
        with self._lock:
            return self._open_until is None or self.clock() >= self._open_until

    def record_failure(self) -> None:
        """The service just failed: skip it for the next cooldown_seconds."""
        with self._lock:
            self._open_until = self.clock() + self.cooldown_seconds

    def record_success(self) -> None:
        """The service just worked: use it again."""
        with self._lock:
            self._open_until = None


# Shared by every narrator in the process, so one request's timeout spares the next ones.
GOOGLE_BREAKER = CircuitBreaker()


@dataclass(frozen=True)
class CachedAudio:
    path: Path
    key: str
    engine: str  # name of the engine that spoke it


@dataclass(frozen=True)
class SpokenAudio:
    mp3: bytes
    engine: str


class Narrator:
    """Turns spoken text into cached MP3 files with the first engine that works, in order of preference."""

    def __init__(
        self,
        cache: FileCache,
        engines: Sequence[SpeechEngine],
        breakers: dict[str, CircuitBreaker] | None = None,
        workers: int = 4,
    ):
        if not engines:
            raise ValueError("a narrator needs at least one engine")
        self.cache = cache
        self.engines = list(engines)
        # Engine name -> breaker, for engines that can be unreachable; the others are always tried.
        self.breakers = dict(breakers or {})
        # Segments of a whole article made side by side: espeak-ng runs as separate processes and gTTS
        # waits on the network, so a few threads cut the first wait of a listener without JavaScript.
        self.workers = max(1, workers)

    @staticmethod
    def segment_key(engine: SpeechEngine, text: str) -> str:
        """Cache key of one piece of text spoken by engine."""
        return cache_key("segment", engine.name, engine.voice, text.strip())

    @staticmethod
    def article_key(engine: SpeechEngine, segments: Sequence[str]) -> str:
        """Cache key of a whole article (all its segments, in order) spoken by engine."""
        return cache_key("article", engine.name, engine.voice, *(text.strip() for text in segments))

    def keys_for(self, segments: Sequence[str]) -> set[str]:
        """Every cache key an article's audio can have, whichever engine spoke it (what prune keeps)."""
        keys = set()
        for engine in self.engines:
            keys.add(self.article_key(engine, segments))
            keys.update(self.segment_key(engine, text) for text in segments)
        return keys

    def synthesize(self, text: str) -> SpokenAudio:
        """MP3 bytes of text from the first engine that works, without the cache (for the speak command)."""
        text = require_speakable(text)
        last_error: SpeechError | None = None
        for engine in self._available_engines():
            try:
                return SpokenAudio(self._synthesize(engine, text), engine.name)
            except SpeechError as error:
                last_error = error
        raise self._no_engine_error(last_error)

    def segment_audio(self, text: str) -> CachedAudio:
        """The cached MP3 of one segment, made now by the first engine that works if not cached yet."""
        text = require_speakable(text)
        return self._cached_or_made(
            lambda engine: self.segment_key(engine, text),
            lambda engine: self._segment_writer(engine, text),
        )

    def article_audio(self, segments: Sequence[str]) -> CachedAudio:
        """The cached MP3 of a whole article, every segment spoken by the same engine."""
        if not any(is_speakable(text) for text in segments):
            raise NothingToSpeak("the article has nothing to speak")
        return self._cached_or_made(
            lambda engine: self.article_key(engine, segments),
            lambda engine: lambda file: self._write_article(engine, segments, file),
        )

    def _cached_or_made(
        self,
        key_of: Callable[[SpeechEngine], str],
        writer_of: Callable[[SpeechEngine], Callable[[BinaryIO], object]],
    ) -> CachedAudio:
        # Audio already made by any engine is served before anything is synthesized: its URL carries a
        # version that browsers and podcast apps keep for days, so the bytes behind it must not change when
        # a preferred engine (Google) becomes reachable again. It is also served while that engine is away.
        for engine in self.engines:
            key = key_of(engine)
            if (path := self.cache.get(key)) is not None:
                return CachedAudio(path, key, engine.name)
        last_error: SpeechError | None = None
        for engine in self.engines:
            key = key_of(engine)
            if not self._allows(engine):
                continue
            try:
                path = self.cache.get_or_create(key, writer_of(engine))
            except SpeechError as error:
                last_error = error
                continue
            return CachedAudio(path, key, engine.name)
        raise self._no_engine_error(last_error)

    def _write_article(self, engine: SpeechEngine, segments: Sequence[str], file: BinaryIO) -> None:
        texts = [text for text in segments if is_speakable(text)]

        def segment_path(text: str) -> Path:
            return self.cache.get_or_create(self.segment_key(engine, text), self._segment_writer(engine, text))

        with ThreadPoolExecutor(max_workers=min(self.workers, len(texts)), thread_name_prefix="speech") as pool:
            futures = [pool.submit(segment_path, text) for text in texts]
            try:
                paths = [future.result() for future in futures]
            except BaseException:
                # One failure dooms this engine's article: start nothing more (the breaker, if tripped,
                # makes the few already running give up at once).
                for future in futures:
                    future.cancel()
                raise
        # MP3 is a sequence of self-contained frames, so segment files of one engine (one sample rate)
        # concatenate into a valid file; mixing engines would change the sample rate mid-file.
        for path in paths:
            with open(path, "rb") as segment_file:
                shutil.copyfileobj(segment_file, file)

    def _segment_writer(self, engine: SpeechEngine, text: str) -> Callable[[BinaryIO], object]:
        return lambda file: file.write(self._synthesize(engine, text))

    def _synthesize(self, engine: SpeechEngine, text: str) -> bytes:
        breaker = self.breakers.get(engine.name)
        if breaker is not None and not breaker.allows():
            raise SpeechError(f"{engine.name}: skipped while cooling down after a failure")
        try:
            audio = engine.synthesize(text)
        except SpeechError:
            if breaker is not None:
                breaker.record_failure()
            raise
        if breaker is not None:
            breaker.record_success()
        return audio

    def _allows(self, engine: SpeechEngine) -> bool:
        breaker = self.breakers.get(engine.name)
        return breaker is None or breaker.allows()

    def _available_engines(self) -> Iterator[SpeechEngine]:
        return (engine for engine in self.engines if self._allows(engine))

    def _no_engine_error(self, last_error: SpeechError | None) -> SpeechError:
        if last_error is not None:
            return last_error
        names = ", ".join(engine.name for engine in self.engines)
        return SpeechError(f"no speech engine available right now ({names} cooling down)")


def engines_for_setting(setting: str, voices_dir: str | os.PathLike[str] | None = None) -> list[SpeechEngine]:
    """The engines, in order of preference, for a TTS_ENGINE setting; auto puts a Piper voice in voices_dir first."""
    setting = (setting or "auto").strip().lower()
    voice = find_voice(voices_dir)
    if setting == "piper":
        if voice is None:
            raise ValueError(f"TTS_ENGINE=piper needs a voice (*.onnx with its .onnx.json) in {voices_dir}")
        return [PiperEngine(voice)]
    if setting == "gtts":
        return [GTTSEngine()]
    if setting == "espeak":
        return [EspeakEngine()]
    if setting == "auto":
        return ([PiperEngine(voice)] if voice else []) + [GTTSEngine(), EspeakEngine()]
    raise ValueError(f"TTS_ENGINE must be one of {', '.join(ENGINE_SETTINGS)}, not {setting!r}")


# Longer than any honest synthesis of one article; the audio cache's lock policy derives from it.
AUDIO_MAKE_SECONDS = 150.0


def audio_cache(cache_dir: str | os.PathLike[str]) -> FileCache:
    """The MP3 files of Đọc bài, in the one file cache layout."""
    return FileCache(cache_dir, AUDIO_SUFFIX, AUDIO_MAKE_SECONDS)


def narrator_for(
    setting: str, cache_dir: str | os.PathLike[str], voices_dir: str | os.PathLike[str] | None = None
) -> Narrator:
    """The narrator for a TTS_ENGINE setting, caching under cache_dir, a Piper voice looked for in voices_dir."""
    engines = engines_for_setting(setting, voices_dir)
    # Only a fallback needs the breaker: with gTTS alone, skipping it would leave nothing to try.
    breakers = {GTTSEngine.name: GOOGLE_BREAKER} if len(engines) > 1 else {}
    return Narrator(audio_cache(cache_dir), engines, breakers)
