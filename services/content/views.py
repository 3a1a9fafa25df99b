"""Article view counts kept exact without a database commit per view: views are added to a buffer (this
process's memory, or Redis shared by every process and host) and written to the database in one UPDATE per
article every second or so, and when the process stops gracefully.

The count a reader sees is the stored count plus what is still pending. What a crash can lose is bounded:
the in-process buffer loses the views of its last flush interval (VIEW_FLUSH_SECONDS, one second by
default) if the process is killed with SIGKILL or dies; the Redis buffer loses nothing when a web process
dies (Redis holds the views), only what Redis itself loses (the views since its last save, if it is not
persistent); a flusher killed between its database commit and its DEL of the batch it took would count
that batch (under a second of views) twice on recovery — a window of one network round trip.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Protocol

from redis.exceptions import LockNotOwnedError, ResponseError

log = logging.getLogger(__name__)

Writer = Callable[[Mapping[int, int]], None]  # adds {article id: views} to the stored counts, in one transaction


class ViewCounter(Protocol):
    """Where counted views wait before the database gets them."""

    def add(self, article_id: int) -> None:
        """Count one view of the article."""

    def pending(self, article_id: int) -> int:
        """Views of the article counted but not yet in the database."""

    def pending_total(self) -> int:
        """Views of every article counted but not yet in the database (this process's, without Redis)."""

    def flush(self) -> int:
        """Write the pending views to the database now; how many views were written."""

    def stop(self) -> None:
        """Flush what is pending and stop the periodic flush (a graceful stop)."""


class PeriodicFlush:
    """A daemon thread that calls flush every interval, started on the first view, never at import."""

    def __init__(self, flush: Callable[[], int], interval: float, after: Callable[[bool], None] | None = None):
        self.flush = flush
        self.interval = interval
        self.after = after or (lambda succeeded: None)  # told whether each flush worked (metrics)
        self._started = False
        self._stopped = threading.Event()
        self._guard = threading.Lock()

    def ensure_started(self) -> None:
        """Start the thread unless it runs (a forked worker starts its own on its first view)."""
        if self._started:
            return
        with self._guard:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="view-flush", daemon=True).start()

    def stop(self) -> None:
        """Stop the thread after its current flush."""
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.flush()
            except Exception:
                # The views stay pending and go with the next flush.
                log.exception("View counts not written; retrying in %g s", self.interval)
                succeeded = False
            else:
                succeeded = True
            try:
                self.after(succeeded)
            except Exception:
                log.exception("After a view flush")


class BufferedViews:
    """Views in this process's memory, flushed every interval seconds, at stop and at exit (the embedded
    default: one machine, SQLite or PostgreSQL)."""

    def __init__(self, write: Writer, interval: float = 1.0, after_flush: Callable[[bool], None] | None = None):
        self._write = write
        self._counts: Counter[int] = Counter()
        self._guard = threading.Lock()
        self._flushing = threading.Lock()
        self._periodic = PeriodicFlush(self.flush, interval, after_flush)

    def add(self, article_id: int) -> None:
        """Count one view in memory."""
        with self._guard:
            self._counts[article_id] += 1
        self._periodic.ensure_started()

    def pending(self, article_id: int) -> int:
        """Views of the article in this process's buffer."""
        with self._guard:
            return self._counts.get(article_id, 0)

    def pending_total(self) -> int:
        """Views of every article in this process's buffer."""
        with self._guard:
            return sum(self._counts.values())

    def flush(self) -> int:
        """Write the buffer to the database; on failure the views go back into it."""
        with self._flushing:
            with self._guard:
                batch, self._counts = self._counts, Counter()
            if not batch:
                return 0
            try:
                self._write(batch)
            except BaseException:
                with self._guard:
                    self._counts.update(batch)
                raise
            return sum(batch.values())

    def stop(self) -> None:
        """Flush and stop the periodic thread."""
        self._periodic.stop()
        self.flush()


class RedisViews:
    """Views in one Redis hash shared by every process and host: HINCRBY per view; any process's flush
    takes the whole hash (RENAME, atomic), adds it to the database and deletes it, one flusher at a time."""

    PENDING = "docbai:views"
    TAKEN = "docbai:views:taken"
    FLUSH_LOCK = "docbai:views:flush-lock"

    def __init__(
        self, redis, write: Writer, interval: float = 1.0, prefix: str = "",
        after_flush: Callable[[bool], None] | None = None,
    ):
        self.redis = redis
        self._write = write
        self.pending_key = prefix + self.PENDING
        self.taken_key = prefix + self.TAKEN
        self.lock_key = prefix + self.FLUSH_LOCK
        self._periodic = PeriodicFlush(self.flush, interval, after_flush)

    def add(self, article_id: int) -> None:
        """Count one view in Redis."""
        self.redis.hincrby(self.pending_key, str(article_id), 1)
        self._periodic.ensure_started()

    def pending(self, article_id: int) -> int:
        """Views of the article in Redis, including a batch a flusher has taken but not written yet."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(self.pending_key, str(article_id))
        pipe.hget(self.taken_key, str(article_id))
        return sum(int(value) for value in pipe.execute() if value)

    def pending_total(self) -> int:
        """Views of every article waiting in Redis, a batch being written included."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hvals(self.pending_key)
        pipe.hvals(self.taken_key)
        return sum(int(value) for values in pipe.execute() for value in values)

    def flush(self) -> int:
        """Move the pending views to the database (skipped when another process is flushing)."""
        lock = self.redis.lock(self.lock_key, timeout=60, blocking=False)
        if not lock.acquire():
            return 0
        try:
            # A batch left by a flusher that died before writing it is written first.
            if not self.redis.exists(self.taken_key):
                try:
                    self.redis.rename(self.pending_key, self.taken_key)
                except ResponseError:
                    return 0  # no such key: nothing pending
            batch = {int(key): int(value) for key, value in self.redis.hgetall(self.taken_key).items()}
            if batch:
                self._write(batch)
            self.redis.delete(self.taken_key)
            return sum(batch.values())
        finally:
            try:
                lock.release()
            except LockNotOwnedError:
                pass  # held past its 60 s (or Redis was emptied): nothing of ours to release

    def stop(self) -> None:
        """Flush and stop the periodic thread; other processes keep flushing what arrives later."""
        self._periodic.stop()
        self.flush()
