"""Article view counts kept exact without a database commit per view: views are added to a buffer (this
process's memory, or Redis shared by every process and host) and written to the database in one UPDATE per
article every second or so, and when the process stops gracefully.

The count a reader sees is the stored count plus what is still pending. What a crash can lose is bounded:
the in-process buffer loses the views of its last flush interval (VIEW_FLUSH_SECONDS, one second by
default) if the process is killed with SIGKILL or dies; the Redis buffer loses nothing when a web process
dies (Redis holds the views), only what Redis itself loses (the views since its last save, if it is not
persistent). A batch taken from Redis is written with its token (models.ViewBatch), in the same transaction
as the counts, so a flusher killed, or cut off from Redis, between its commit and its DEL of the batch
leaves it to the next flush, which finds the token and does not count it again.
"""
from __future__ import annotations

import logging
import math
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Protocol

from redis.exceptions import LockNotOwnedError, RedisError, ResponseError
from sqlalchemy.exc import SQLAlchemyError

from services.infra.near_cache import NearCache

log = logging.getLogger(__name__)

# Adds {article id: views} to the stored counts in one transaction; with a batch token, at most once per token.
Writer = Callable[[Mapping[int, int], "str | None"], object]
# A flusher that dies, or cannot reach Redis to let go, holds the flush lock no longer than this.
FLUSH_LOCK_SECONDS = 5
# How old a count another process added may be on this process's pages (with Redis; see ArticleViews.shown).
SHOWN_VIEWS_SECONDS = 0.5
# How long a stored count is remembered in a cache shared by every process (each flush forgets what it changed).
STORED_SECONDS_SHARED = 300
# Without Redis, how long a process remembers a stored count: another process's flushed views show on its
# pages within this; a count read from the database on every page cost a site whose readers spread over many
# articles one query per page.
STORED_SECONDS_OWN = 10


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
            except RedisError as error:
                # The views stay in Redis and go with a flush once it is back.
                log.warning("View counts not flushed, Redis away: %s", error)
                succeeded = False
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

    def add_many(self, keys: Iterable[Hashable]) -> None:
        """Count one of each key in memory."""
        with self._guard:
            self._counts.update(keys)
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
                self._write(batch, None)
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
    TOKEN = "docbai:views:taken-token"
    FLUSH_LOCK = "docbai:views:flush-lock"

    def __init__(
        self, redis, write: Writer, interval: float = 1.0, prefix: str = "",
        after_flush: Callable[[bool], None] | None = None, key_of: Callable[[bytes], Hashable] = int,
    ):
        """key_of reads a key back from its Redis field: an article id for views; other counters keep text."""
        self.redis = redis
        self._write = write
        self._key_of = key_of
        self.pending_key = prefix + self.PENDING
        self.taken_key = prefix + self.TAKEN
        self.token_key = prefix + self.TOKEN
        self.lock_key = prefix + self.FLUSH_LOCK
        self._periodic = PeriodicFlush(self.flush, interval, after_flush)

    def add(self, article_id: int) -> None:
        """Count one view in Redis."""
        self.redis.hincrby(self.pending_key, str(article_id), 1)
        self._periodic.ensure_started()

    def add_many(self, keys: Iterable[Hashable]) -> None:
        """Count one of each key in Redis, in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.hincrby(self.pending_key, str(key), 1)
        pipe.execute()
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
        """Move the pending views to the database (skipped when another process is flushing). The batch taken
        has a token written with it in the database, so a batch written but left in Redis (its flusher killed,
        or Redis away at the moment of its DEL) is not counted twice by the next flush."""
        lock = self.redis.lock(self.lock_key, timeout=FLUSH_LOCK_SECONDS, blocking=False)
        if not lock.acquire():
            return 0
        try:
            if not self.redis.exists(self.taken_key):
                pipe = self.redis.pipeline(transaction=True)
                pipe.rename(self.pending_key, self.taken_key)
                pipe.set(self.token_key, secrets.token_hex(16))
                try:
                    pipe.execute()
                except ResponseError:
                    return 0  # no such key: nothing pending
            token = self.redis.get(self.token_key)
            if token is None:  # a batch taken before tokens existed: it gets one now
                token = secrets.token_hex(16).encode("ascii")
                self.redis.set(self.token_key, token)
            batch = {self._key_of(key): int(value) for key, value in self.redis.hgetall(self.taken_key).items()}
            if batch:
                self._write(batch, token.decode("ascii"))
            self.redis.delete(self.taken_key, self.token_key)
            return sum(batch.values())
        finally:
            try:
                lock.release()
            except (LockNotOwnedError, RedisError):
                pass  # expired (or Redis was emptied, or is away): it frees itself within its few seconds

    def stop(self) -> None:
        """Flush and stop the periodic thread; other processes keep flushing what arrives later."""
        self._periodic.stop()
        self.flush()


class SharedValues(Protocol):
    """Where stored counts are remembered between requests (Flask-Caching's cache: Redis, or this process)."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object, timeout: int) -> object: ...

    def delete_many(self, *keys: str) -> object: ...


class LocalAndShared:
    """This process's buffer and, with Redis, the buffer every process shares, flushed and stopped together; a
    Redis that is away only delays what waits in it (ArticleViews, and the statistics' ArticleEvents)."""

    local: BufferedViews
    shared: RedisViews | None
    WHAT = "Views"  # what waits, in the log's messages
    LOG = log  # the log of the module that counts (a subclass elsewhere names its own)

    def flush(self) -> int:
        """Write the pending counts to the database now (a graceful stop, a test); how many were written."""
        written = self.local.flush()
        if self.shared is not None:
            try:
                written += self.shared.flush()
            except RedisError as error:
                self.LOG.warning("%s waiting in Redis not flushed, Redis away: %s", self.WHAT, error)
        return written

    def stop(self) -> None:
        """Flush and stop the periodic flushes (gunicorn's worker_exit, the process's exit)."""
        self.local.stop()
        if self.shared is not None:
            try:
                self.shared.stop()
            except RedisError as error:
                self.LOG.warning("%s waiting in Redis not flushed at stop, Redis away: %s", self.WHAT, error)


class ArticleViews(LocalAndShared):
    """The one owner of article views: a reader's view counted, the buffer written to the database, and the
    count a reader sees — the stored count (remembered in the shared cache, forgotten by each flush that changes
    it, so a page costs no SQL) plus the views still pending; with Redis, a count this process read in the last
    half second (reading it is two round trips), its own views at once.

    write adds {article id: views} to the database; stored(article id) reads one stored count. With a Redis
    client the buffer is shared by every process and host (RedisViews), and a view that cannot reach Redis
    waits in this process's own buffer instead, written to the database by this process's flush, so no view
    is lost while Redis is away. With the database away, a reader sees the count last known here."""

    def __init__(
        self,
        write: Writer,
        stored: Callable[[int], int],
        stored_cache: SharedValues,
        interval: float = 1.0,
        redis=None,
        on_flush: Callable[[bool, int | None], None] | None = None,
    ):
        """on_flush(succeeded, views still waiting in this process, or None for Redis's) follows every periodic
        flush (the metrics)."""
        self._write_to_database = write
        self._stored = stored
        self._stored_cache = stored_cache
        # With Redis the remembered count is shared and every flush forgets what it changed, so it may be kept
        # long; each process's own cache misses the other processes' flushes, so there it is kept briefly.
        self._stored_seconds = STORED_SECONDS_SHARED if redis is not None else max(STORED_SECONDS_OWN, math.ceil(interval))
        told = on_flush or (lambda succeeded, pending: None)
        self.local = BufferedViews(self._write, interval, lambda ok: told(ok, self.local.pending_total()))
        self.shared: RedisViews | None = (
            RedisViews(redis, self._write, interval, after_flush=lambda ok: told(ok, None)) if redis is not None else None
        )
        self._shown = NearCache(SHOWN_VIEWS_SECONDS, 4096) if redis is not None else None
        self._last_known = NearCache(None, 4096)  # article id: the stored count last read (database away)

    def count(self, article_id: int) -> None:
        """One view of the article, shown on this process's next page of it."""
        try:
            if self.shared is None:
                self.local.add(article_id)
            else:
                self.shared.add(article_id)
        except RedisError as error:
            log.warning("View kept in this process while Redis is away: %s", error)
            self.local.add(article_id)
        if self._shown is not None:
            self._shown.forget(article_id)

    def pending(self, article_id: int) -> int:
        """Views of the article counted but not yet in the database (Redis's, if it answers, and this process's)."""
        pending = self.local.pending(article_id)
        if self.shared is not None:
            pending += self.shared.pending(article_id)
        return pending

    def pending_total(self) -> int:
        """Views of every article counted but not yet in the database (Redis's, which every process shares,
        and this process's own)."""
        total = self.local.pending_total()
        if self.shared is not None:
            total += self.shared.pending_total()
        return total

    def shown(self, article_id: int, known: int | None = None) -> int:
        """The count a reader sees now; `known` (the count a cached page was rendered with) stands in when
        neither the cache nor the database can say."""
        count = self._shown.get(article_id) if self._shown is not None else None
        if count is not None:
            return count
        reading_since = self._shown.now() if self._shown is not None else None
        try:
            stored = self._stored_count(article_id, known)
            count = stored + self.pending(article_id)
        except RedisError as error:
            # The page still shows the stored count; the views waiting in Redis show once it is back.
            log.warning("Pending views unavailable: %s", error)
            return self._stored_count(article_id, known, use_cache=False) + self.local.pending(article_id)
        if self._shown is not None:
            self._shown.put(article_id, count, read_since=reading_since)  # not if a view was counted meanwhile
        return count

    def remember_stored(self, article_id: int, stored: int) -> None:
        """A stored count just read with the article's row (a page rendered anew): shown() takes it from here
        instead of asking the database for it a second time in the same request."""
        try:
            self._stored_cache.set(self._stored_key(article_id), stored, timeout=self._stored_seconds)
        except RedisError as error:
            log.warning("Stored views not kept in the cache: %s", error)
        self._last_known.put(article_id, stored)

    def _stored_count(self, article_id: int, known: int | None, use_cache: bool = True) -> int:
        key = self._stored_key(article_id)
        stored = self._stored_cache.get(key) if use_cache else None
        if stored is None:
            try:
                stored = self._stored(article_id)
            except SQLAlchemyError as error:
                last = self._last_known.get(article_id)
                if last is None and known is None:
                    raise
                log.warning("Stored views unavailable, showing the last known count: %s", error)
                return max(last or 0, known or 0)
            if use_cache:
                self._stored_cache.set(key, stored, timeout=self._stored_seconds)
        self._last_known.put(article_id, stored)
        return stored

    def _write(self, counts: Mapping[int, int], batch_id: str | None) -> None:
        self._write_to_database(counts, batch_id)
        try:
            self._stored_cache.delete_many(*(self._stored_key(article_id) for article_id in counts))
        except RedisError as error:
            # Written: what the cache still remembers is older by these views until it expires.
            log.warning("Stored views not forgotten in the cache: %s", error)

    @staticmethod
    def _stored_key(article_id: int) -> str:
        return f"stored-views:{article_id}"
