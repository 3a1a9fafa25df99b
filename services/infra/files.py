"""Files that other processes read: atomic writes, the single-flight lock, and the one content-addressed
file cache that the audio and the PDFs share (one key, one layout, one lock policy, one size budget with
least-recently-used eviction, one memo of failures, one prune)."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from services.infra.leases import held_lease
from services.infra.storage import ObjectStore, StorageUnavailable, UseLog

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
def atomic_file(
    path: str | os.PathLike[str], mode: int = FILE_MODE, before_rename: Callable[[str], object] | None = None
) -> Iterator[BinaryIO]:
    """A binary file to write that appears at path, whole, only when the block ends without an error;
    before_rename(temp path), if given, runs on the complete file first (an upload), and its error stops it."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # The same directory, so the rename stays on one filesystem and is atomic. The writer's process id is
    # in the name, so a sweep can remove what a killed writer left at once instead of after an hour.
    descriptor, temp_name = tempfile.mkstemp(dir=directory, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
    try:
        # mkstemp makes the file private; the web server may run as another user than the command that wrote it.
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            # On disk before the rename, so a crash cannot leave a complete name over missing data.
            os.fsync(file.fileno())
        if before_rename is not None:
            before_rename(temp_name)
        os.replace(temp_name, path)
    except BaseException:
        # Also on KeyboardInterrupt: a half-written temp file must not linger.
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def writer_is_gone(name: str) -> bool:
    """True for a temp file whose writing process (named in it by atomic_file) no longer runs on this machine."""
    match = _TEMP_PID.match(name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, run by another user
    return False


_TEMP_PID = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


class ConcatenatedFiles(io.RawIOBase):
    """Several files read as one, seekable (for byte ranges); all are opened at once, so a file deleted
    meanwhile (evicted from a cache) is still read whole."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]]):
        super().__init__()
        self._files: list[BinaryIO] = []
        try:
            for path in paths:
                self._files.append(open(path, "rb"))
        except BaseException:
            self.close()
            raise
        self._sizes = [os.fstat(file.fileno()).st_size for file in self._files]
        self._size = sum(self._sizes)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        start = self._position
        for file, size in zip(self._files, self._sizes):
            if start < size:
                file.seek(start)
                count = file.readinto(buffer)
                self._position += count
                return count
            start -= size
        return 0

    def close(self) -> None:
        for file in self._files:
            file.close()
        super().close()


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


class RedisLocks:
    """Locks in Redis, for a cache directory several hosts share (a network mount, where file locks are not
    to be trusted): a short lease the holder renews while it works (services.infra.leases), so a holder that
    dies frees the lock within seconds instead of after the longest honest make."""

    def __init__(self, redis, prefix: str = "docbai:lock:"):
        self.redis = redis
        self.prefix = prefix

    @contextmanager
    def hold(self, name: str, timeout: float) -> Iterator[None]:
        """Held by one process on any host: the rest wait up to timeout, then get LockTimeout."""
        with held_lease(self.redis, self.prefix + name, timeout) as held:
            if not held:
                raise LockTimeout(f"lock {name} still held after {timeout:g} s")
            yield


@contextmanager
def single_flight(
    lock_path: str | os.PathLike[str], timeout: float, shared_locks: RedisLocks | None = None
) -> Iterator[None]:
    """Held by one thread of one process at a time: the rest wait up to timeout, then get LockTimeout.

    A cache checks for its file, enters this, checks again and only then makes the file, so work asked
    for by many at once is done once. Across processes the lock is a lock file by default, or, with
    shared_locks, a Redis lock named after the lock file (for hosts that share the cache directory).
    """
    lock_path = os.path.abspath(os.fspath(lock_path))
    thread_lock = _thread_lock(lock_path)
    if not thread_lock.acquire(timeout=timeout):
        raise LockTimeout(f"{lock_path} still held after {timeout:g} s")
    try:
        if shared_locks is not None:
            with shared_locks.hold(os.path.basename(lock_path), timeout):
                yield
            return
        os.makedirs(os.path.dirname(lock_path), exist_ok=True)
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
# How long a failed make is remembered: requests in that time get the failure at once instead of a new try.
FAILURE_MEMO_SECONDS = 300.0
# A read marks a file as used (for least-recently-used eviction) at most this often: one utime per file a minute.
TOUCH_INTERVAL_SECONDS = 60.0
# A sweep runs after a new file when the cache may be over budget, and at least this often while files arrive.
SWEEP_INTERVAL_SECONDS = 60.0
# A cache over its budget is emptied down to this share of it, not to the budget exactly: a cache evicted to
# the last byte is over again at the next file, and every new segment would then rescan the directory.
LOW_WATER_FRACTION = 0.9
# A file made this recently is not evicted for the budget while the cache holds less than FRESH_FILES_CAP times
# it: several long articles made at once with a small budget evicted each other's segments before any was
# whole, and their listeners waited forever. Past the cap, fresh files go too (oldest first).
FRESH_FILE_SECONDS = 600.0
FRESH_FILES_CAP = 2.0
# A temp file without a writer's process id in its name is left alone this long (a writer may be at work).
TEMP_GRACE_SECONDS = 3600.0

# Woken whenever this process adds a file to any cache, so a waiter sees it at once; others poll.
_new_files = threading.Condition()


def cache_key(*parts: str) -> str:
    """A cache key: the SHA-256 of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


class RememberedFailure(RuntimeError):
    """Making this file failed a short while ago; it is not tried again until the memo expires."""


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed: finished files, and the bytes they held."""

    removed_files: int
    freed_bytes: int


@dataclass(frozen=True)
class SweepReport:
    """What a sweep removed: files evicted for the budget (and their bytes), crash leftovers, free locks."""

    evicted_files: int = 0
    evicted_bytes: int = 0
    leftovers: int = 0
    locks: int = 0
    total_bytes: int = 0


@dataclass
class PrewarmReport:
    """What a prewarm did: files made, files already cached, and the items that failed with why."""

    made: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (slug, reason)


class _Absent(Exception):
    """The object store has no object for a key (ends a download without leaving a file)."""


def _evictions(entries, max_bytes: int, protect: Container[str], now: float) -> tuple[list, int]:
    """Which of entries (last use, size, key, where, made) to evict for max_bytes, least recently used first,
    and the bytes left: down to LOW_WATER_FRACTION of it, never a key in protect, nor a file made in the last
    FRESH_FILE_SECONDS while the total is under FRESH_FILES_CAP times the budget. One policy for the local
    folder and for the bucket."""
    total = sum(entry[1] for entry in entries)
    chosen = []
    if total > max_bytes:
        low_water = int(max_bytes * LOW_WATER_FRACTION)
        cap = max_bytes * FRESH_FILES_CAP
        for entry in sorted(entries):
            if total <= low_water:
                break
            _, size, key, _, made = entry
            if key in protect or (made > now - FRESH_FILE_SECONDS and total <= cap):
                continue
            chosen.append(entry)
            total -= size
    return chosen, total


class FileCache:
    """Files named by a content key (see cache_key) under one directory, each either absent or complete.

    Layout: <directory>/<key[:2]>/<key><suffix>, so no folder grows past a few thousand entries; one lock
    file per key in <directory>/.locks/ and one failure memo per key in <directory>/.failed/. A file appears
    only by an atomic rename after fsync, and is made once however many threads and processes ask for it.
    With max_bytes, the least recently used files (by access time, which get() refreshes) are evicted after
    a new file takes the cache over its budget, down to LOW_WATER_FRACTION of it, never the one just made; the same sweep removes killed writers' temp files, free
    lock files and expired failure memos, so the directory needs no cron job.

    With store (an object store's folder), the files live in the bucket, where every host finds them, and the
    directory is this host's local copy, bounded by local_max_bytes: a file made here is uploaded (whole, or
    not at all) before it appears locally; a file missing locally is read from the bucket once per process
    and then served from disk, so a surge on one article costs the bucket one read per host. max_bytes is
    then the bucket's budget, its least recently used objects found by a listing and uses (a Redis sorted set
    shared by the hosts; without it, the write time). While the bucket is away, get() sees only the local
    copy and get_or_create() raises StorageUnavailable without making anything.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        suffix: str,
        make_timeout: float,
        max_bytes: int | None = None,
        failure_memo_seconds: float = FAILURE_MEMO_SECONDS,
        shared_locks: RedisLocks | None = None,
        store: ObjectStore | None = None,
        local_max_bytes: int | None = None,
        uses: UseLog | None = None,
    ):
        self.directory = Path(directory)
        # Several hosts sharing the directory make each file once only with a lock they all see (Redis).
        self.shared_locks = shared_locks
        self.suffix = suffix
        self.lock_directory = self.directory / ".locks"
        self.failure_directory = self.directory / ".failed"
        # One policy for every cache: a waiter gives up after twice the longest honest time to make one
        # file, so a stuck maker is noticed instead of hanging every request behind it.
        self.lock_timeout = 2 * make_timeout
        self.max_bytes = max_bytes
        self.store = store
        self.uses = uses
        # The budget of the local folder: the cache's own, or with a bucket, the local copy's.
        self.local_max_bytes = local_max_bytes if store is not None else max_bytes
        self.failure_memo_seconds = failure_memo_seconds
        # This process's estimate of the bytes held, refreshed by every sweep; other processes add files
        # too, so a sweep also runs every SWEEP_INTERVAL_SECONDS while files arrive.
        self._estimated_bytes: int | None = None
        self._last_sweep = 0.0
        self._last_count = 0.0  # when used_bytes last counted the files
        self._sweep_lock = threading.Lock()
        self._store_estimated_bytes: int | None = None
        self._last_store_sweep = 0.0
        self._noted_uses: dict[str, float] = {}  # key → when this process last recorded its use in uses

    def path_for(self, key: str) -> Path:
        """Where the file for key lives (or will live); ValueError for anything that is not a key."""
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.directory / key[:2] / f"{key}{self.suffix}"

    def object_name(self, key: str) -> str:
        """The name of key's object in the store (the same layout as the folder)."""
        self.path_for(key)
        return f"{key[:2]}/{key}{self.suffix}"

    def get(self, key: str) -> Path | None:
        """The path of the complete file for key, or None; a hit counts as a use for eviction. With a store,
        a file missing locally is copied from the bucket first; a bucket that is away counts as no file."""
        try:
            return self._get(key)
        except StorageUnavailable:
            return None

    def _get(self, key: str) -> Path | None:
        path = self.path_for(key)
        try:
            status = path.stat()
        except FileNotFoundError:
            status = None
        # Files only appear by rename after fsync, so any non-empty file is whole; an empty one could
        # only come from a filesystem that lost data in a crash, and is made again.
        if status is not None and status.st_size > 0:
            now = time.time()
            if status.st_atime < now - TOUCH_INTERVAL_SECONDS:
                # Mounts with relatime do not keep atime for us; the modification time stays the make time.
                with suppress(OSError):
                    os.utime(path, (now, status.st_mtime))
            self._note_use(key)
            return path
        if self.store is None:
            return None
        return self._fetch(key, path)

    def _fetch(self, key: str, path: Path) -> Path | None:
        """Copy key's object from the store into the local copy (one download per process at a time)."""
        with _thread_lock(os.fspath(path) + ".fetch"):
            with suppress(FileNotFoundError):
                if path.stat().st_size > 0:  # another thread fetched it while this one waited
                    return path
            try:
                with atomic_file(path) as file:
                    if not self.store.download_into(self.object_name(key), file):
                        raise _Absent
                    size = file.tell()
            except _Absent:
                return None
        self._note_use(key)
        self._after_new_file(path, size, made=False)
        return path

    def _note_use(self, key: str) -> None:
        if self.uses is None:
            return
        now = time.time()
        if now - self._noted_uses.get(key, 0.0) < TOUCH_INTERVAL_SECONDS:
            return
        if len(self._noted_uses) > 100_000:
            self._noted_uses.clear()
        self._noted_uses[key] = now
        self.uses.touch(self.object_name(key), now)

    def get_or_create(self, key: str, write: Callable[[BinaryIO], object]) -> Path:
        """The file for key; if missing, write(file) makes it, once, whoever else asks at the same time.

        LockTimeout if another maker held the key for longer than the lock timeout; whatever write raises
        leaves no file behind; StorageUnavailable, before anything is made, while the store is away.
        """
        if (path := self.get(key)) is not None:
            return path
        if self.store is not None and not self.store.available:
            raise StorageUnavailable(f"object store {self.store.describe()} is away")
        with single_flight(self.lock_directory / f"{key}{LOCK_SUFFIX}", self.lock_timeout, self.shared_locks):
            # Another thread, process or host may have made it while this one waited.
            if (path := self._get(key)) is not None:
                return path
            path = self.path_for(key)
            upload = None
            if self.store is not None:
                # Uploaded from the complete temp file before it takes its name: a failed upload leaves
                # neither a local file nor an object.
                def upload(temp_name: str) -> None:
                    self.store.upload_file(self.object_name(key), temp_name)

            with atomic_file(path, before_rename=upload) as temp_file:
                write(temp_file)
                size = temp_file.tell()
                if size == 0:
                    raise ValueError(f"nothing was written for {key}")
        self.forget_failure(key)
        with _new_files:
            _new_files.notify_all()
        self._note_use(key)
        self._after_new_file(path, size)
        return path

    def wait_for(
        self, keys: Sequence[str], timeout: float, failure_key: str | None = None, poll_seconds: float = 0.1
    ) -> tuple[str, Path] | None:
        """The first of keys whose file exists (made by any thread or process), with its path, or None after
        timeout seconds; RememberedFailure if failure_key is given and its maker failed meanwhile."""
        if self.store is not None:
            # Each look at a file missing locally is a request to the bucket.
            poll_seconds = max(poll_seconds, 0.5)
        deadline = time.monotonic() + timeout
        while True:
            for key in keys:
                if (path := self.get(key)) is not None:
                    return key, path
            if failure_key is not None and (reason := self.failure(failure_key)) is not None:
                raise RememberedFailure(reason)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with _new_files:
                _new_files.wait(min(poll_seconds, left))

    def remember_failure(self, key: str, reason: str) -> None:
        """Note that making key failed, so requests for the next failure_memo_seconds fail at once."""
        self.path_for(key)
        with suppress(OSError):
            write_atomically(self.failure_directory / key, reason.encode("utf-8", "replace")[:2000])
        with _new_files:
            _new_files.notify_all()

    def failure(self, key: str) -> str | None:
        """Why making key failed, if it did less than failure_memo_seconds ago; else None."""
        memo = self.failure_directory / key
        try:
            if memo.stat().st_mtime < time.time() - self.failure_memo_seconds:
                return None
            return memo.read_text("utf-8", "replace") or "failed"
        except (FileNotFoundError, NotADirectoryError):
            return None

    def forget_failure(self, key: str) -> None:
        """Drop the failure memo of key (it was made after all)."""
        with suppress(FileNotFoundError, NotADirectoryError):
            os.unlink(self.failure_directory / key)

    def used_bytes(self, max_age_seconds: float = 60.0) -> int:
        """Bytes the cache's files hold (with a store, the bucket's objects): this process's estimate if a
        sweep or a count made it less than max_age_seconds ago (the files it made since are added to it), else
        counted now without evicting."""
        now = time.monotonic()
        if self.store is not None:
            if self._store_estimated_bytes is None or now - self._last_store_sweep > max_age_seconds:
                with suppress(StorageUnavailable):
                    self._store_estimated_bytes = sum(item.size for item in self._objects())
                    self._last_store_sweep = now
            return self._store_estimated_bytes or 0
        if self._estimated_bytes is None or now - max(self._last_sweep, self._last_count) > max_age_seconds:
            total = 0
            for _, entry in self._entries():
                with suppress(FileNotFoundError):
                    total += entry.stat().st_size
            self._estimated_bytes, self._last_count = total, now
        return self._estimated_bytes

    def keys(self) -> set[str]:
        """The keys of all complete files in the cache (with a store, in the bucket)."""
        if self.store is not None:
            return {key for key, _ in self._objects_by_key()}
        return {key for key, _ in self._entries()}

    def sweep(self, protect: Container[str] = ()) -> SweepReport:
        """Evict least recently used files, when over max_bytes, until the cache holds LOW_WATER_FRACTION of it
        (never a key in protect, nor a file made in the last FRESH_FILE_SECONDS while the cache is under
        FRESH_FILES_CAP times its budget), and
        remove what crashed writers left: temp files of processes that are gone, free lock files, and
        expired failure memos. Runs by itself after new files; safe beside writers in other processes.
        With a store, the local copy is held to local_max_bytes the same way and the report's evictions and
        total are the bucket's."""
        with self._sweep_lock:
            now = time.time()
            entries = []
            for key, entry in self._entries():
                with suppress(FileNotFoundError):
                    status = entry.stat()
                    entries.append(
                        (max(status.st_atime, status.st_mtime), status.st_size, key, entry.path, status.st_mtime)
                    )
            total = sum(entry[1] for entry in entries)
            evicted = evicted_bytes = 0
            if self.local_max_bytes is not None:
                chosen, total = _evictions(entries, self.local_max_bytes, protect, now)
                for _, size, _, path, _ in chosen:
                    with suppress(FileNotFoundError):
                        os.unlink(path)
                        evicted += 1
                        evicted_bytes += size
            leftovers = self._remove_leftovers(now)
            locks = self._remove_free_locks()
            self._estimated_bytes = total
            self._last_sweep = time.monotonic()
            if self.store is not None:
                evicted, evicted_bytes, total = self._sweep_store(protect, now)
            return SweepReport(evicted, evicted_bytes, leftovers, locks, total)

    def _sweep_store(self, protect: Container[str], now: float) -> tuple[int, int, int]:
        """Hold the bucket to max_bytes: (objects evicted, their bytes, bytes left); nothing while it is away."""
        try:
            objects = list(self._objects_by_key())
            total = sum(item.size for _, item in objects)
            evicted = []
            if self.max_bytes is not None and total > self.max_bytes:
                used = self.uses.last_used() if self.uses is not None else {}
                entries = [(max(used.get(item.name, 0.0), item.modified), item.size, key, item.name, item.modified)
                           for key, item in objects]
                evicted, total = _evictions(entries, self.max_bytes, protect, now)
                self.store.delete(entry[3] for entry in evicted)
                if self.uses is not None:
                    self.uses.forget(entry[3] for entry in evicted)
        except StorageUnavailable:
            return 0, 0, self._store_estimated_bytes or 0
        self._store_estimated_bytes = total
        self._last_store_sweep = time.monotonic()
        return len(evicted), sum(entry[1] for entry in evicted), total

    def prune(
        self,
        keep: Container[str] | None = None,
        older_than_seconds: float | None = None,
        temp_older_than_seconds: float = TEMP_GRACE_SECONDS,
    ) -> PruneReport:
        """Delete files whose key is not in keep, or last written longer ago than older_than_seconds, then
        the temp files of crashed writers and every lock file nobody holds. With a store, its objects are
        pruned by the same rule (and the report counts them); the local copy follows."""
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
        if self.store is not None:
            removed = freed = 0
            gone = []
            for key, item in self._objects_by_key():
                stale = older_than_seconds is not None and item.modified < now - older_than_seconds
                if stale or (keep is not None and key not in keep):
                    gone.append(item.name)
                    removed += 1
                    freed += item.size
            self.store.delete(gone)
            if self.uses is not None:
                self.uses.forget(gone)
            self._store_estimated_bytes = None
        self._remove_leftovers(now, temp_older_than_seconds)
        self._remove_free_locks()
        self._estimated_bytes = None
        return PruneReport(removed, freed)

    def _after_new_file(self, path: Path, size: int, made: bool = True) -> None:
        if self._estimated_bytes is not None:
            self._estimated_bytes += size
        if made and self._store_estimated_bytes is not None:
            self._store_estimated_bytes += size
        due = time.monotonic() - self._last_sweep > SWEEP_INTERVAL_SECONDS
        over = self.local_max_bytes is not None and (
            self._estimated_bytes is None or self._estimated_bytes > self.local_max_bytes
        )
        if self.store is not None and made and self.max_bytes is not None:
            over = over or self._store_estimated_bytes is None or self._store_estimated_bytes > self.max_bytes
        if due or over:
            self.sweep(protect={path.name[: -len(self.suffix)]})

    def _objects_by_key(self):
        for item in self.store.list():
            folder, _, name = item.name.partition("/")
            if name.endswith(self.suffix):
                key = name[: -len(self.suffix)]
                if _KEY.match(key) and folder == key[:2]:
                    yield key, item

    def _objects(self):
        return (item for _, item in self._objects_by_key())

    def _remove_leftovers(self, now: float, temp_grace_seconds: float = TEMP_GRACE_SECONDS) -> int:
        removed = 0
        # A temp file of a live writer (or a young one whose writer is unknown) is still being written.
        for entry in self._scan(is_temp_name):
            with suppress(FileNotFoundError):
                if writer_is_gone(entry.name) or entry.stat().st_mtime < now - temp_grace_seconds:
                    os.unlink(entry.path)
                    removed += 1
        if self.failure_directory.is_dir():
            for entry in os.scandir(self.failure_directory):
                with suppress(FileNotFoundError):
                    stale = entry.stat().st_mtime < now - self.failure_memo_seconds
                    if stale or (is_temp_name(entry.name) and writer_is_gone(entry.name)):
                        os.unlink(entry.path)
        return removed

    def _remove_free_locks(self) -> int:
        removed = 0
        if self.lock_directory.is_dir():
            for entry in os.scandir(self.lock_directory):
                removed += remove_lock_file_if_free(entry.path)
        return removed

    def _entries(self) -> Iterator[tuple[str, os.DirEntry]]:
        for entry in self._scan(lambda name: name.endswith(self.suffix)):
            key = entry.name[: -len(self.suffix)]
            if _KEY.match(key):
                yield key, entry

    def _scan(self, wanted: Callable[[str], bool]) -> Iterator[os.DirEntry]:
        if not self.directory.is_dir():
            return
        special = {self.lock_directory.name, self.failure_directory.name}
        for folder in os.scandir(self.directory):
            if folder.is_dir() and folder.name not in special:
                yield from (entry for entry in os.scandir(folder.path) if entry.is_file() and wanted(entry.name))
