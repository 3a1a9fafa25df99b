"""A few seconds' copy, in this process, of values read from a shared cache (Redis), for values that may be
a little old: a surge then costs a Redis round trip per value every few seconds instead of on every page.
Each round trip also hands the GIL to another thread, which costs a threaded worker more than the wait."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from cachetools import LRUCache, TTLCache


class NearCache:
    """Values kept here for `seconds` at most (None: until pushed out), the least recently used dropped beyond
    max_entries."""

    def __init__(self, seconds: float | None, max_entries: int, clock: Callable[[], float] | None = None):
        self._clock = clock or (lambda: time.monotonic())
        self._values: LRUCache = (
            LRUCache(max_entries) if seconds is None else TTLCache(max_entries, seconds, timer=self._clock)
        )
        self._forgotten: LRUCache = LRUCache(max_entries)  # key: when this process forgot it
        self._guard = threading.Lock()  # cachetools' caches are not thread-safe

    def now(self) -> float:
        """This cache's clock: pass what it said before reading a value to put(read_since=...)."""
        return self._clock()

    def get(self, key: Hashable) -> object | None:
        """The value kept under key, or None when there is none or it is too old."""
        with self._guard:
            return self._values.get(key)

    def put(self, key: Hashable, value: object, read_since: float | None = None) -> None:
        """Keep value under key, unless it was read since read_since and the key was forgotten after that
        (the value may miss the change that made this process forget it)."""
        with self._guard:
            forgotten = self._forgotten.get(key)
            if read_since is not None and forgotten is not None and forgotten >= read_since:
                return
            self._values[key] = value

    def forget(self, key: Hashable) -> None:
        """Drop what is kept under key (this process changed it)."""
        with self._guard:
            self._values.pop(key, None)
            self._forgotten[key] = self._clock()
