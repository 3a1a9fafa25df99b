"""The narrator: picks an engine, falls back when Google is away, and keeps every piece of audio in the cache.

An article's audio is stored once, as its segment files: the whole MP3 is those files read in order (MP3 is a
sequence of self-contained frames), streamed while they are made and served with byte ranges once all are.
Beside each MP3 segment an article's audio has its Ogg Opus (services.speech.opus), the data saver's lighter
file, in a cache of its own with the same layout, locks and kind of budget."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from services.infra.files import FileCache, RedisLocks, RememberedFailure, cache_key
from services.infra.storage import BucketCopies, cache_options
from services.infra.breaker import CircuitBreaker

from .engines import (
    EspeakEngine,
    GTTSEngine,
    NothingToSpeak,
    PcmEngine,
    SpeechEngine,
    SpeechError,
    is_speakable,
    require_speakable,
)
from .opus import OPUS_SUFFIX, OPUS_VOICE, audio_file_to_opus, audio_files_to_opus, samples_to_opus
from .piper import PiperEngine, find_voice

ENGINE_SETTINGS = ("auto", "piper", "gtts", "espeak")
AUDIO_SUFFIX = ".mp3"


# Shared by every narrator in the process, so one request's timeout spares the next ones.
GOOGLE_BREAKER = CircuitBreaker()


@dataclass(frozen=True)
class CachedAudio:
    path: Path
    key: str
    engine: str  # name of the engine that spoke it


@dataclass(frozen=True)
class ArticleAudio:
    """A whole article's audio: its segment files in order, all spoken by one engine."""

    paths: tuple[Path, ...]
    key: str  # the ETag of the whole file: Narrator.article_key for that engine
    engine: str

    @property
    def size_bytes(self) -> int:
        """Bytes of the whole MP3 (the segment files together)."""
        return sum(path.stat().st_size for path in self.paths)


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
        on_passed_over: Callable[[str], None] | None = None,
        on_breaker: Callable[[str, float], None] | None = None,
        opus_cache: FileCache | None = None,
    ):
        if not engines:
            raise ValueError("a narrator needs at least one engine")
        self.cache = cache
        # The Opus files: by default beside the MP3s in the same folder (another suffix), without a budget.
        self.opus_cache = opus_cache or opus_audio_cache(cache.directory, shared_locks=cache.shared_locks)
        self.engines = list(engines)
        # Engine name -> breaker, for engines that can be unreachable; the others are always tried.
        self.breakers = dict(breakers or {})
        # Told (for the metrics) when an engine is gone past, failed or cooling down, and when a breaker changes
        # (the engine's name, and the seconds it is now skipped for).
        self._on_passed_over = on_passed_over or (lambda name: None)
        self._on_breaker = on_breaker or (lambda name, seconds: None)

    @staticmethod
    def segment_key(engine: SpeechEngine, text: str) -> str:
        """Cache key of one piece of text spoken by engine."""
        return cache_key("segment", engine.name, engine.voice, text.strip())

    @staticmethod
    def article_key(engine: SpeechEngine, segments: Sequence[str]) -> str:
        """The ETag of a whole article (all its segments, in order) spoken by engine; no file has this key."""
        return cache_key("article", engine.name, engine.voice, *(text.strip() for text in segments))

    @staticmethod
    def opus_keys(engine: SpeechEngine, text: str) -> tuple[str, str]:
        """Cache keys of one segment's Opus by engine: made from the engine's own samples, then from its MP3. Two
        keys, because the two are not the same bytes, and an ETag must name bytes (a Range of one is not part of
        the other)."""
        segment = Narrator.segment_key(engine, text)
        return cache_key("opus", segment, "samples", OPUS_VOICE), cache_key("opus", segment, "mp3", OPUS_VOICE)

    @staticmethod
    def article_opus_key(engine: SpeechEngine, segments: Sequence[str]) -> str:
        """Cache key of a whole article's Opus spoken by engine: one file, unlike the whole MP3 (Ogg streams are not
        joined by putting one after another, as MP3 frames are)."""
        return cache_key("article-opus", Narrator.article_key(engine, segments), OPUS_VOICE)

    def keys_for(self, segments: Sequence[str]) -> set[str]:
        """Every cache key an article's MP3 can have, whichever engine spoke it (what a prune keeps)."""
        return {self.segment_key(engine, text) for engine in self.engines for text in segments if is_speakable(text)}

    def opus_keys_for(self, segments: Sequence[str]) -> set[str]:
        """Every cache key an article's Opus files can have, whichever engine spoke it (what a prune keeps)."""
        keys = {self.article_opus_key(engine, segments) for engine in self.engines}
        for engine in self.engines:
            for text in _speakable(segments):
                keys.update(self.opus_keys(engine, text))
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

    def cached_segment(self, text: str) -> CachedAudio | None:
        """The cached MP3 of one segment by the first engine (in the order of preference) that made it; never
        synthesizes."""
        for engine in self.engines:
            key = self.segment_key(engine, text)
            if (path := self.cache.get(key)) is not None:
                return CachedAudio(path, key, engine.name)
        return None

    def cached_opus_segment(self, text: str) -> CachedAudio | None:
        """The cached Opus of one segment by the first engine (in the order of preference) that has one; never
        makes anything."""
        for engine in self.engines:
            for key in self.opus_keys(engine, text):
                if (path := self.opus_cache.get(key)) is not None:
                    return CachedAudio(path, key, engine.name)
        return None

    def cached_article_opus(self, segments: Sequence[str]) -> CachedAudio | None:
        """The whole article's Opus by the first engine (in the order of preference) that has one; never makes it."""
        for engine in self.engines:
            key = self.article_opus_key(engine, segments)
            if (path := self.opus_cache.get(key)) is not None:
                return CachedAudio(path, key, engine.name)
        return None

    def cached_article(self, segments: Sequence[str]) -> ArticleAudio | None:
        """The whole article if every segment is cached by one engine (in the order of preference); never
        synthesizes."""
        texts = _speakable(segments)
        for engine in self.engines:
            paths = []
            for text in texts:
                if (path := self.cache.get(self.segment_key(engine, text))) is None:
                    break
                paths.append(path)
            else:
                if paths:
                    return ArticleAudio(tuple(paths), self.article_key(engine, segments), engine.name)
        return None

    def article_audio(self, segments: Sequence[str], with_opus: bool = False) -> ArticleAudio:
        """The whole article, every segment spoken by the same engine, made now (in order) where missing; with_opus,
        each segment's Opus too. The Opus files are made in a thread of their own, each as soon as its MP3 is: the
        MP3s come exactly as fast as without them (encoding Opus costs more than speaking with espeak-ng), and the
        first sentence of either is ready first."""
        if not _speakable(segments):
            raise NothingToSpeak("the article has nothing to speak")
        if (cached := self.cached_article(segments)) is not None:
            if with_opus:
                engine = next(engine for engine in self.engines if engine.name == cached.engine)
                for text, path in zip(_speakable(segments), cached.paths):
                    self._make_opus(engine, text, path)
            return cached
        # An engine that already spoke the title goes on, so the file a listener is streaming stays one voice.
        title = _speakable(segments)[0]
        engines = sorted(self.engines, key=lambda engine: self.cache.get(self.segment_key(engine, title)) is None)
        last_error: SpeechError | None = None
        for engine in engines:
            if not self._allows(engine):
                self._on_passed_over(engine.name)
                continue
            try:
                # Leaving the block waits for the Opus files under way, also when an engine fails half-way.
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opus") as opus_maker:
                    paths, opus_made = [], []
                    for text in _speakable(segments):
                        path, samples = self._make_segment(engine, text, keep_samples=with_opus)
                        paths.append(path)
                        if with_opus:
                            opus_made.append(opus_maker.submit(self._make_opus, engine, text, path, samples))
                    for made in opus_made:
                        made.result()  # raises what making it raised
            except SpeechError as error:
                # MP3 segments of two engines differ in sample rate: the next engine speaks the whole article.
                last_error = error
                continue
            return ArticleAudio(tuple(paths), self.article_key(engine, segments), engine.name)
        raise self._no_engine_error(last_error)

    def segments_as_made(
        self, segments: Sequence[str], wait_seconds: float, failure_key: str | None = None
    ) -> Iterator[Path]:
        """The article's segment files in order, each as soon as some engine has made it (by any thread or
        process); the first one found fixes the engine for the rest. RememberedFailure when a segment takes
        longer than wait_seconds or its maker failed (its failure memo under failure_key)."""
        chosen: list[SpeechEngine] = self.engines
        for text in _speakable(segments):
            keys = {self.segment_key(engine, text): engine for engine in chosen}
            found = self.cache.wait_for(list(keys), wait_seconds, failure_key=failure_key)
            if found is None:
                raise RememberedFailure(f"no segment within {wait_seconds:g} s")
            key, path = found
            chosen = [keys[key]]
            yield path

    def _make_segment(self, engine: SpeechEngine, text: str, keep_samples: bool = False):
        """One segment's MP3, made now if missing, and (keep_samples, an engine that gives them: PcmEngine) the
        levelled samples it was made of with their rate, for its Opus; else None for them."""
        kept = []

        def write(file: BinaryIO) -> None:
            if keep_samples and isinstance(engine, PcmEngine):
                mp3, samples, sample_rate = self._synthesize(engine, text, keep_samples=True)
                kept.append((samples, sample_rate))
            else:
                mp3 = self._synthesize(engine, text)
            file.write(mp3)

        path = self.cache.get_or_create(self.segment_key(engine, text), write)
        return path, (kept[0] if kept else None)

    def _make_opus(self, engine: SpeechEngine, text: str, mp3_path: Path, samples=None) -> Path:
        """The segment's Opus: from samples (the MP3's own, just spoken) if given, else the one made from the
        engine's samples earlier if there is one, else made now from its MP3 (a voice that gives only MP3, like
        Google's, or an Opus evicted alone)."""
        from_samples, from_mp3 = self.opus_keys(engine, text)
        if samples is not None:
            return self.opus_cache.get_or_create(from_samples, lambda file: file.write(samples_to_opus(*samples)))
        if (path := self.opus_cache.get(from_samples)) is not None:
            return path
        return self.opus_cache.get_or_create(from_mp3, lambda file: file.write(audio_file_to_opus(mp3_path)))

    def article_opus(self, segments: Sequence[str]) -> CachedAudio:
        """The whole article's Opus, made now if missing, from its whole MP3 (made first where missing): its segments
        decoded one after another, as a browser decodes the whole MP3, so the two last as long; the segments' own
        Opus files, coded at half the MP3's rate, would lose more by being coded again."""
        audio = self.article_audio(segments)
        engine = next(engine for engine in self.engines if engine.name == audio.engine)
        key = self.article_opus_key(engine, segments)
        path = self.opus_cache.get_or_create(key, lambda file: file.write(audio_files_to_opus(audio.paths)))
        return CachedAudio(path, key, engine.name)

    def _synthesize(self, engine: SpeechEngine, text: str, keep_samples: bool = False):
        # The caller asked the breaker already (_available_engines, _allows): asking again here would refuse
        # the one trial a half-open breaker lets through. keep_samples (a PcmEngine): (MP3, samples, rate).
        breaker = self.breakers.get(engine.name)
        try:
            audio = engine.synthesize_keeping_samples(text) if keep_samples else engine.synthesize(text)
        except SpeechError:
            self._on_passed_over(engine.name)
            if breaker is not None:
                breaker.record_failure()
                self._on_breaker(engine.name, breaker.seconds_open())
            raise
        if breaker is not None:
            breaker.record_success()
            self._on_breaker(engine.name, 0.0)
        return audio

    def _allows(self, engine: SpeechEngine) -> bool:
        breaker = self.breakers.get(engine.name)
        return breaker is None or breaker.allows()

    def _available_engines(self) -> Iterator[SpeechEngine]:
        for engine in self.engines:
            if self._allows(engine):
                yield engine
            else:
                self._on_passed_over(engine.name)

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


# Longer than any honest synthesis of one segment (the unit the cache stores); its lock policy derives from it.
AUDIO_MAKE_SECONDS = 30.0


def audio_cache(
    cache_dir: str | os.PathLike[str], max_bytes: int | None = None, shared_locks: RedisLocks | None = None,
    bucket: BucketCopies | None = None,
) -> FileCache:
    """The MP3 files of Đọc bài, in the one file cache layout, kept within max_bytes if given (in the bucket's
    folder audio/ with bucket, cache_dir then holding this host's copy)."""
    return FileCache(cache_dir, AUDIO_SUFFIX, AUDIO_MAKE_SECONDS, max_bytes=max_bytes, shared_locks=shared_locks,
                     **cache_options(bucket, "audio"))


def opus_audio_cache(
    cache_dir: str | os.PathLike[str], max_bytes: int | None = None, shared_locks: RedisLocks | None = None,
    bucket: BucketCopies | None = None,
) -> FileCache:
    """The Opus files of Đọc bài, beside the MP3s in the same folder (each cache sees only its own suffix), kept
    within a budget of their own if given (in the bucket's folder opus/ with bucket)."""
    return FileCache(cache_dir, OPUS_SUFFIX, AUDIO_MAKE_SECONDS, max_bytes=max_bytes, shared_locks=shared_locks,
                     **cache_options(bucket, "opus"))


def narrator_for(
    setting: str,
    cache_dir: str | os.PathLike[str],
    voices_dir: str | os.PathLike[str] | None = None,
    max_bytes: int | None = None,
    shared_locks: RedisLocks | None = None,
    on_passed_over: Callable[[str], None] | None = None,
    on_breaker: Callable[[str, float], None] | None = None,
    opus_max_bytes: int | None = None,
    bucket: BucketCopies | None = None,
) -> Narrator:
    """The narrator for a TTS_ENGINE setting, caching under cache_dir (the MP3s within max_bytes, the Opus files
    within opus_max_bytes, locking through shared_locks when hosts share it), a Piper voice looked for in
    voices_dir; the callbacks as Narrator's."""
    engines = engines_for_setting(setting, voices_dir)
    # Only a fallback needs the breaker: with gTTS alone, skipping it would leave nothing to try.
    breakers = {GTTSEngine.name: GOOGLE_BREAKER} if len(engines) > 1 else {}
    return Narrator(
        audio_cache(cache_dir, max_bytes, shared_locks, bucket), engines, breakers, on_passed_over, on_breaker,
        opus_audio_cache(cache_dir, opus_max_bytes, shared_locks, bucket),
    )


def _speakable(segments: Sequence[str]) -> list[str]:
    return [text for text in segments if is_speakable(text)]
