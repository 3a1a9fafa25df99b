"""Files that other processes read: written under a temporary name and renamed into place, and their locks."""
from __future__ import annotations

import os
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
