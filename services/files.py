"""Files that other processes read: atomic writes, the single-flight lock, and the one content-addressed
file cache that the audio and the PDFs share (one key, one layout, one lock policy, one prune)."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

# Every temporary file starts (and ends) like this, so a prune can tell a crashed writer's leftovers apart.
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".tmp"
FILE_MODE = 0o644


class LockTimeout(TimeoutError):
    """Another thread or process held the lock for longer than the caller would wait."""


def is_temp_name(name: str) -> bool:
    """True for the name of a file write_atomically or atomic_file was still writing."""
    return name.startswith(TEMP_PREFIX)


@contextmanager
def atomic_file(path: str | os.PathLike[str], mode: int = FILE_MODE) -> Iterator[BinaryIO]:
    """A binary file to write that appears at path, whole, only when the block ends without an error."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # The same directory, so the rename stays on one filesystem and is atomic.
    descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        # mkstemp makes the file private; the web server may run as another user than the command that wrote it.
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            # On disk before the rename, so a crash cannot leave a complete name over missing data.
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        # Also on KeyboardInterrupt: a half-written temp file must not linger.
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_atomically(path: str | os.PathLike[str], data: bytes, mode: int = FILE_MODE) -> None:
    """Write data to path under a temporary name and rename it into place, so no reader sees half of it."""
    with atomic_file(path, mode) as file:
        file.write(data)


def remove_lock_file_if_free(path: str | os.PathLike[str]) -> bool:
    """Delete a lock file unless some thread or process holds it; True if it was deleted."""
    try:
        # Removed only while held, so no writer is inside; filelock notices an unlinked lock file and
        # takes a fresh one, so a waiter cannot end up sharing the lock with a newcomer.
        with FileLock(path, timeout=0):
            with suppress(FileNotFoundError):
                os.unlink(path)
                return True
    except Timeout:
        pass
    return False


# One in-process lock per lock file, shared by every thread: they wait on it rather than each polling
# the file lock. Weak values: a lock nobody waits on goes away.
_thread_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_thread_locks_guard = threading.Lock()


def _thread_lock(name: str) -> threading.Lock:
    with _thread_locks_guard:
        lock = _thread_locks.get(name)
        if lock is None:
            lock = _thread_locks[name] = threading.Lock()
        return lock


@contextmanager
def single_flight(lock_path: str | os.PathLike[str], timeout: float) -> Iterator[None]:
    """Held by one thread of one process at a time: the rest wait up to timeout, then get LockTimeout.

    A cache checks for its file, enters this, checks again and only then makes the file, so work asked
    for by many at once is done once.
    """
    lock_path = os.path.abspath(os.fspath(lock_path))
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    thread_lock = _thread_lock(lock_path)
    if not thread_lock.acquire(timeout=timeout):
        raise LockTimeout(f"{lock_path} still held after {timeout:g} s")
    try:
        file_lock = FileLock(lock_path, timeout=timeout)
        try:
            file_lock.acquire()
        except Timeout as error:
            raise LockTimeout(f"{lock_path} still held after {timeout:g} s") from error
        try:
            yield
        finally:
            file_lock.release()
    finally:
        thread_lock.release()


_KEY = re.compile(r"^[0-9a-f]{64}$")
LOCK_SUFFIX = ".lock"


def cache_key(*parts: str) -> str:
    """A cache key: the SHA-256 of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed: finished files, and the bytes they held."""

    removed_files: int
    freed_bytes: int


@dataclass
class PrewarmReport:
    """What a prewarm did: files made, files already cached, and the items that failed with why."""

    made: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (slug, reason)


class FileCache:
    """Files named by a content key (see cache_key) under one directory, each either absent or complete.

    Layout: <directory>/<key[:2]>/<key><suffix>, so no folder grows past a few thousand entries, and one
    lock file per key in <directory>/.locks/. A file appears only by an atomic rename after fsync, and is
    made once however many threads and processes ask for it at the same time.
    """

    def __init__(self, directory: str | os.PathLike[str], suffix: str, make_timeout: float):
        self.directory = Path(directory)
        self.suffix = suffix
        self.lock_directory = self.directory / ".locks"
        # One policy for every cache: a waiter gives up after twice the longest honest time to make one
        # file, so a stuck maker is noticed instead of hanging every request behind it.
        self.lock_timeout = 2 * make_timeout

    def path_for(self, key: str) -> Path:
        """Where the file for key lives (or will live); ValueError for anything that is not a key."""
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / key[:2] / f"{key}{self.suffix}"

    def get(self, key: str) -> Path | None:
        """The path of the complete file for key, or None."""
        path = self.path_for(key)
        try:
            # Files only appear by rename after fsync, so any non-empty file is whole; an empty one could
            # only come from a filesystem that lost data in a crash, and is made again.
            return path if path.stat().st_size > 0 else None
        except FileNotFoundError:
            return None

    def get_or_create(self, key: str, write: Callable[[BinaryIO], object]) -> Path:
        """The file for key; if missing, write(file) makes it, once, whoever else asks at the same time.

        LockTimeout if another maker held the key for longer than the lock timeout; whatever write raises
        leaves no file behind.
        """
        if (path := self.get(key)) is not None:
            return path
        with single_flight(self.lock_directory / f"{key}{LOCK_SUFFIX}", self.lock_timeout):
            # Another thread or process may have made it while this one waited.
            if (path := self.get(key)) is not None:
                return path
            path = self.path_for(key)
            with atomic_file(path) as temp_file:
                write(temp_file)
                if temp_file.tell() == 0:
                    raise ValueError(f"nothing was written for {key}")
            return path

    def keys(self) -> set[str]:
        """The keys of all complete files in the cache."""
        return {key for key, _ in self._entries()}

    def prune(
        self,
        keep: Container[str] | None = None,
        older_than_seconds: float | None = None,
        temp_older_than_seconds: float = 3600.0,
    ) -> PruneReport:
        """Delete files whose key is not in keep, or last written longer ago than older_than_seconds, then
        the temp files of crashed writers and every lock file nobody holds."""
        now = time.time()
        removed = freed = 0
        for key, entry in self._entries():
            stale = older_than_seconds is not None and entry.stat().st_mtime < now - older_than_seconds
            if not stale and (keep is None or key in keep):
                continue
            size = entry.stat().st_size
            with suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
                freed += size
        # A temp file this young may belong to a writer still at work.
        for entry in self._scan(lambda name: is_temp_name(name)):
            with suppress(FileNotFoundError):
                if entry.stat().st_mtime < now - temp_older_than_seconds:
                    os.unlink(entry.path)
        if self.lock_directory.is_dir():
            for entry in os.scandir(self.lock_directory):
                remove_lock_file_if_free(entry.path)
        return PruneReport(removed, freed)

    def _entries(self) -> Iterator[tuple[str, os.DirEntry]]:
        for entry in self._scan(lambda name: name.endswith(self.suffix)):
            key = entry.name[: -len(self.suffix)]
            if _KEY.match(key):
                yield key, entry

    def _scan(self, wanted: Callable[[str], bool]) -> Iterator[os.DirEntry]:
        if not self.directory.is_dir():
            return
        for folder in os.scandir(self.directory):
            if folder.is_dir() and folder.name != self.lock_directory.name:
                yield from (entry for entry in os.scandir(folder.path) if entry.is_file() and wanted(entry.name))
