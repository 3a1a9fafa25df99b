"""A Redis lock held on a short lease that its holder keeps renewing: a holder that dies (a killed job, a
crashed host) frees the lock within seconds, while a holder honestly at work for minutes keeps it."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# A dead holder's lock is free again after this long; a live one renews it every third of it.
LEASE_SECONDS = 10.0


class LeaseLost(RuntimeError):
    """The lock's lease ran out before its holder could renew it (Redis away for longer than the lease)."""


@contextmanager
def held_lease(redis, name: str, wait_seconds: float, lease_seconds: float = LEASE_SECONDS) -> Iterator[bool]:
    """Hold the Redis lock `name` while the block runs, renewing its lease in a thread; yields False (without
    the lock) when another holder kept it for wait_seconds."""
    from redis.exceptions import LockError, RedisError

    lock = redis.lock(name, timeout=lease_seconds, blocking_timeout=wait_seconds, thread_local=False)
    if not lock.acquire():
        yield False
        return
    stopped = threading.Event()

    def renew() -> None:
        while not stopped.wait(lease_seconds / 3):
            try:
                lock.reacquire()
            except (LockError, RedisError):
                return  # lost (expired while Redis was away): the work goes on, its result is still whole

    renewer = threading.Thread(target=renew, name=f"lease:{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stopped.set()
        renewer.join(timeout=lease_seconds)
        # A lease that ran out meanwhile is no error for the work just done.
        with suppress(LockError, RedisError):
            lock.release()
