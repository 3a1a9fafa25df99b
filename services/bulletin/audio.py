"""A bulletin's audio file: its script voiced by the narrator of Đọc bài (the same cached segment per sentence, so
articles already listened to cost nothing new), laid out with pauses or the operator's jingles, brought to broadcast
loudness, tagged with a chapter per item, and kept in the bulletin cache under a key made of everything it holds:
the same script is the same file, a changed article a new one."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING


from services.bulletin import sound
from services.bulletin.script import Script
from services.infra.files import FileCache, RedisLocks, cache_key
from services.infra.storage import BucketCopies, cache_options
from services.speech.narrator import Narrator

if TYPE_CHECKING:
    import numpy as np

# numpy and mutagen are imported where a bulletin is made or read (sound.py says why).

BULLETIN_SUFFIX = ".mp3"
# Longer than an honest making of a ten-minute bulletin's sound (its segments are voiced before the lock).
BULLETIN_MAKE_SECONDS = 180.0
JINGLE_NAMES = ("opening", "between", "closing")
JINGLE_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg", ".oga")
# The pauses, in seconds: before the first words when there is no opening jingle, after a jingle, after the
# opening, between items when there is no jingle (with one: AFTER_JINGLE on either side), after "Tin thứ hai.",
# before the closing, and at the end.
LEAD_IN = 0.5
AFTER_JINGLE = 0.4
AFTER_OPENING = 1.0
BETWEEN_ITEMS = 1.5
AFTER_TRANSITION = 0.5
BEFORE_CLOSING = 1.5
TAIL = 1.0
# The pauses, part of the cache key: changed pauses make new files.
PAUSES = f"{LEAD_IN} {AFTER_JINGLE} {AFTER_OPENING} {BETWEEN_ITEMS} {AFTER_TRANSITION} {BEFORE_CLOSING} {TAIL}"
ENGINE_TAG = "docbai-engine"


@dataclass(frozen=True)
class Piece:
    """One stretch of the bulletin in order: a voiced segment (path), a jingle (path) or a pause (seconds);
    item is the index of the item it belongs to (its transition included), None for the framing."""

    kind: str  # "speech" | "jingle" | "pause"
    path: Path | None = None
    seconds: float = 0.0
    item: int | None = None


@dataclass(frozen=True)
class MadeBulletin:
    """A made bulletin file: where it is, its key (and ETag), size, length, chapters and the engine that spoke."""

    path: Path
    key: str
    size_bytes: int
    duration_seconds: float
    chapters: tuple[sound.Chapter, ...]
    engine: str


@dataclass(frozen=True)
class FileTags:
    """What the files say of themselves besides each day's title: the station, the series and the cover."""

    station: str
    album: str
    cover_png: Callable[[], bytes | None] = lambda: None


@lru_cache(maxsize=64)
def _file_fingerprint(path: str, size: int, modified_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bulletin_cache(directory: str | os.PathLike[str], max_bytes: int | None = None,
                   shared_locks: RedisLocks | None = None, bucket: BucketCopies | None = None) -> FileCache:
    """The made bulletins, in the one file cache layout, within max_bytes if given (in the bucket's folder
    bulletins/ with bucket)."""
    return FileCache(directory, BULLETIN_SUFFIX, BULLETIN_MAKE_SECONDS, max_bytes=max_bytes, shared_locks=shared_locks,
                     **cache_options(bucket, "bulletins"))


class BulletinAudio:
    """Scripts made into bulletin files: voiced by narrator, kept in cache, with the jingles found in jingles_dir
    and each chapter linked to article_url(slug)."""

    def __init__(
        self,
        narrator: Narrator,
        cache: FileCache,
        jingles_dir: str | os.PathLike[str] | None,
        tags: FileTags,
        article_url: Callable[[str], str] = lambda slug: "",
    ):
        self.narrator = narrator
        self.cache = cache
        self.jingles_dir = Path(jingles_dir) if jingles_dir else None
        self.tags = tags
        self.article_url = article_url

    def jingles(self) -> dict[str, Path]:
        """The jingles an operator placed, by name (opening, between, closing); none of them is required."""
        found: dict[str, Path] = {}
        if self.jingles_dir is None or not self.jingles_dir.is_dir():
            return found
        for name in JINGLE_NAMES:
            for suffix in JINGLE_SUFFIXES:
                path = self.jingles_dir / f"{name}{suffix}"
                if path.is_file():
                    found[name] = path
                    break
        return found

    def key(self, script: Script) -> str:
        """The cache key (and ETag) of the script's file: its words, the engines that may speak them, the jingles'
        bytes, the pauses, the sound's settings and the tags."""
        jingles = self.jingles()
        prints = []
        for name in JINGLE_NAMES:
            if name in jingles:
                status = jingles[name].stat()
                prints.append(f"{name}:{_file_fingerprint(str(jingles[name]), status.st_size, status.st_mtime_ns)}")
        engines = [f"{engine.name}/{engine.voice}" for engine in self.narrator.engines]
        urls = [self.article_url(item.slug) for item in script.items]
        return cache_key("bulletin", sound.SOUND_VERSION, PAUSES, self.tags.station, self.tags.album, *engines,
                         *prints, *urls, *script.fingerprint_parts())

    def cached(self, script: Script) -> MadeBulletin | None:
        """The script's file if it is already made; never makes anything."""
        key = self.key(script)
        path = self.cache.get(key)
        return None if path is None else self.describe(key, path)

    def timeline(self, script: Script) -> tuple[list[Piece], str]:
        """The bulletin's pieces in order, every segment voiced (made now where missing, all by one engine), and
        that engine's name."""
        voiced = self.narrator.article_audio(script.all_segments())
        paths = iter(voiced.paths)
        jingles = self.jingles()

        def speech(segments: Sequence[str], item: int | None = None) -> list[Piece]:
            return [Piece("speech", next(paths), item=item) for _ in segments]

        pieces = [Piece("jingle", jingles["opening"]), Piece("pause", seconds=AFTER_JINGLE)] if "opening" in jingles \
            else [Piece("pause", seconds=LEAD_IN)]
        pieces += speech(script.opening)
        for index, item in enumerate(script.items):
            if index == 0:
                pieces.append(Piece("pause", seconds=AFTER_OPENING))
            elif "between" in jingles:
                pieces += [Piece("pause", seconds=AFTER_JINGLE), Piece("jingle", jingles["between"]),
                           Piece("pause", seconds=AFTER_JINGLE)]
            else:
                pieces.append(Piece("pause", seconds=BETWEEN_ITEMS))
            pieces += speech(item.transition, index)
            pieces.append(Piece("pause", seconds=AFTER_TRANSITION, item=index))
            pieces += speech(item.segments, index)
        if script.closing:
            pieces.append(Piece("pause", seconds=BEFORE_CLOSING))
            pieces += speech(script.closing)
            if "closing" in jingles:
                pieces += [Piece("pause", seconds=AFTER_JINGLE), Piece("jingle", jingles["closing"])]
        pieces.append(Piece("pause", seconds=TAIL))
        return pieces, voiced.engine

    def make(self, script: Script) -> MadeBulletin:
        """The script's file, made now if missing (once, however many ask at the same time); the engines' failure
        is SpeechError, an unreadable jingle sound.UnreadableAudio."""
        key = self.key(script)
        if (path := self.cache.get(key)) is None:
            pieces, engine = self.timeline(script)  # voiced before the file's lock: other makers wait less
            path = self.cache.get_or_create(key, lambda file: file.write(self._render(script, pieces, engine)))
        return self.describe(key, path)

    def describe(self, key: str, path: Path) -> MadeBulletin:
        """What a made file holds, read from the file itself (its length and its chapters)."""
        from mutagen.id3 import ID3
        from mutagen.mp3 import MP3

        tag = ID3(path)
        engine = next((str(frame.text[0]) for frame in tag.getall(f"TXXX:{ENGINE_TAG}")), "")
        return MadeBulletin(path, key, path.stat().st_size, MP3(path).info.length,
                            tuple(sound.read_chapters(path)), engine)

    def _render(self, script: Script, pieces: Sequence[Piece], engine: str) -> bytes:
        from mutagen.id3 import TXXX
        import numpy as np

        parts, starts, ends, at = [], {}, {}, 0
        for piece in pieces:
            samples = sound.silence(piece.seconds) if piece.kind == "pause" else (
                _jingle(str(piece.path)) if piece.kind == "jingle" else sound.decode(piece.path)
            )
            if piece.item is not None:
                starts.setdefault(piece.item, at)
                ends[piece.item] = at + len(samples)
            parts.append(samples)
            at += len(samples)
        mp3, _ = sound.broadcast_mp3(np.concatenate(parts) if parts else sound.silence(1))
        rate = sound.SAMPLE_RATE
        chapters = []
        for index, item in enumerate(script.items):
            # A chapter runs to the next one's start (its pause or jingle included), the last to its own end.
            end = starts.get(index + 1, ends.get(index, at))
            chapters.append(sound.Chapter(item.title, starts.get(index, 0) / rate, end / rate,
                                          self.article_url(item.slug)))
        tags = sound.Tags(script.title, self.tags.station, self.tags.album, script.day.isoformat(),
                          self.tags.cover_png())
        tagged = sound.tagged_mp3(mp3, tags, chapters, extra=[TXXX(encoding=1, desc=ENGINE_TAG, text=engine)])
        return tagged


@lru_cache(maxsize=8)
def _jingle_samples(path: str, size: int, modified_ns: int) -> np.ndarray:
    import numpy as np

    samples = sound.decode(path)
    loudness = sound.integrated_loudness(samples)
    # Brought to the voice's level, so a loud jingle does not set the level of the whole bulletin.
    if np.isfinite(loudness):
        samples = samples * np.float32(10 ** ((sound.TARGET_LUFS - loudness) / 20))
    samples.setflags(write=False)
    return samples


def _jingle(path: str) -> np.ndarray:
    status = os.stat(path)
    return _jingle_samples(path, status.st_size, status.st_mtime_ns)
