"""When to look again at something another process may change (a file's stamp, a shared token): at most once
every few seconds per thing. Every look is a system call or a network round trip, and each hands the GIL to
another thread; a busy threaded server lost a fifth of its pages per second to looking on every request."""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from math import inf


class Recheck:
    """Remembers when each thing (by key) was last looked at; due() says whether `seconds` have passed since.
    0 seconds: always due (the debug server looks every time). Callers hold their own lock, or accept that
    two threads may both look once."""

    def __init__(self, seconds: float, clock: Callable[[], float] | None = None):
        self.seconds = seconds
        self._clock = clock or (lambda: time.monotonic())
        self._seen: dict[Hashable, float] = {}

    def now(self) -> float:
        """This recheck's clock."""
        return self._clock()

    def due(self, key: Hashable = None, now: float | None = None) -> bool:
        """Whether key should be looked at again now."""
        now = self._clock() if now is None else now
        return now - self._seen.get(key, -inf) >= self.seconds

    def seen(self, key: Hashable = None, at: float | None = None) -> bool:
        """Record that key was looked at (at `at`, by default now); False, recording nothing, when a later look
        is recorded already (a slower reader must not replace what a newer one saw)."""
        at = self._clock() if at is None else at
        if at <= self._seen.get(key, -inf):
            return False
        self._seen[key] = at
        return True
