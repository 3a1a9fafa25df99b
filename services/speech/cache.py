"""The audio cache: MP3 files named by a hash of what they say, written once however many ask at the same time."""
from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mutagen import MutagenError
from mutagen.mp3 import MP3

from services.files import TEMP_SUFFIX, atomic_file, remove_lock_file_if_free, single_flight

AUDIO_SUFFIX = ".mp3"
AUDIO_FILE_MODE = 0o644
_KEY = re.compile(r"^[0-9a-f]{64}$")


def audio_key(*parts: str) -> str:
    """A cache key: the SHA-256 of the parts, kept apart so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def audio_duration_seconds(path: str | os.PathLike[str]) -> float:
    """Length in seconds of an MP3 file (for podcast feeds and the player); raises ValueError if unreadable."""
    try:
        return MP3(path).info.length
    except (MutagenError, OSError) as error:
        raise ValueError(f"not a readable MP3 file: {path}") from error


@dataclass(frozen=True)
class PruneResult:
    removed_files: int
    freed_bytes: int


class AudioCache:
    """MP3 files in one directory, named <key>.mp3; a file is either absent or complete."""

    def __init__(self, directory: str | os.PathLike[str], lock_timeout: float = 300.0):
        self.directory = Path(directory)
        self.lock_directory = self.directory / ".locks"
        # Longer than any honest synthesis of one article; a waiter past this raises instead of hanging.
        self.lock_timeout = lock_timeout

    def path_for(self, key: str) -> Path:
        """Where the audio for key lives (or will live)."""
        if not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / f"{key}{AUDIO_SUFFIX}"

    def get(self, key: str) -> Path | None:
        """The path of the cached audio for key, or None when there is no complete file."""
        path = self.path_for(key)
        try:
            # Files only appear by rename after fsync, so any non-empty file is whole; an empty one
            # could only come from a filesystem that lost data in a crash, and is made again.
            return path if path.stat().st_size > 0 else None
        except FileNotFoundError:
            return None

    def get_or_create(self, key: str, write: Callable[[BinaryIO], None]) -> Path:
        """The cached audio for key; if missing, write(file) makes it, once, whoever else asks at the same time."""
        if (path := self.get(key)) is not None:
            return path
        with single_flight(self.lock_directory / f"{key}.lock", self.lock_timeout):
            # Another thread or process may have made it while this one waited.
            if (path := self.get(key)) is not None:
                return path
            return self._write_atomically(key, write)

    def _write_atomically(self, key: str, write: Callable[[BinaryIO], None]) -> Path:
        path = self.path_for(key)
        with atomic_file(path, AUDIO_FILE_MODE) as temp_file:
            write(temp_file)
            if temp_file.tell() == 0:
                raise ValueError(f"no audio was written for {key}")
        return path

    def keys(self) -> set[str]:
        """The keys of all complete files in the cache."""
        if not self.directory.is_dir():
            return set()
        return {
            entry.name[: -len(AUDIO_SUFFIX)]
            for entry in os.scandir(self.directory)
            if entry.name.endswith(AUDIO_SUFFIX) and _KEY.match(entry.name[: -len(AUDIO_SUFFIX)])
        }

    def prune(self, keep: Iterable[str], temp_older_than_seconds: float = 3600.0) -> PruneResult:
        """Delete audio whose key is not in keep, and temp and lock files left behind by crashed writers."""
        keep = set(keep)
        removed = freed = 0
        if not self.directory.is_dir():
            return PruneResult(0, 0)
        # A temp file this young may belong to a writer still at work.
        stale_before = time.time() - temp_older_than_seconds
        for entry in os.scandir(self.directory):
            if not entry.is_file():
                continue
            name = entry.name
            is_audio = name.endswith(AUDIO_SUFFIX) and _KEY.match(name[: -len(AUDIO_SUFFIX)])
            if is_audio and name[: -len(AUDIO_SUFFIX)] in keep:
                continue
            if not is_audio and not (name.endswith(TEMP_SUFFIX) and entry.stat().st_mtime < stale_before):
                continue
            size = entry.stat().st_size
            with suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
                freed += size
        self._prune_lock_files()
        return PruneResult(removed, freed)

    def _prune_lock_files(self) -> None:
        if not self.lock_directory.is_dir():
            return
        for entry in os.scandir(self.lock_directory):
            remove_lock_file_if_free(entry.path)
