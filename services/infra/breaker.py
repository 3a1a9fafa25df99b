"""A circuit breaker for a service that can be away (Google's speech, Redis): after a failure, callers skip it
for a cool-down period instead of each waiting on it; then one caller at a time tries it again."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """After a failure, says "skip this service" for cooldown_seconds; then lets one trial through at a time
    (half-open) until a success closes it or a failure opens it again.

    Hand-written: one failure is enough to trip it and it needs an injectable clock for tests; a library such
    as pybreaker counts failures and wraps calls, which fits neither a pipeline nor a speech engine."""

    def __init__(
        self, cooldown_seconds: float = 300.0, clock: Callable[[], float] = time.monotonic, trial_seconds: float = 30.0
    ):
        self.cooldown_seconds = cooldown_seconds
        self.trial_seconds = trial_seconds  # a trial that never reports back frees the next one after this
        self.clock = clock
        self._open_until: float | None = None
        self._trial_until: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while the service is being skipped (for metrics and readiness)."""
        with self._lock:
            return self._open_until is not None

    def allows(self) -> bool:
        """True when the service may be called now: it is closed, or its cool-down is over and no other caller
        is trying it."""
        with self._lock:
            if self._open_until is None:
                return True
            now = self.clock()
            if now < self._open_until:
                return False
            if self._trial_until is not None and now < self._trial_until:
                return False
            self._trial_until = now + self.trial_seconds
            return True

    def seconds_open(self) -> float:
        """How much longer the service is skipped (0 when it may be tried)."""
        with self._lock:
            return 0.0 if self._open_until is None else max(0.0, self._open_until - self.clock())

    def record_failure(self) -> None:
        """The service just failed: skip it for the next cooldown_seconds."""
        with self._lock:
            self._open_until = self.clock() + self.cooldown_seconds
            self._trial_until = None

    def record_success(self) -> None:
        """The service just worked: use it again."""
        with self._lock:
            self._open_until = self._trial_until = None
