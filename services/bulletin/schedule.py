"""When the daily bulletin is due, and the loop that makes it: `flask bulletin schedule`.

Why a loop of our own rather than RQ's cron or rq-scheduler: RQ's cron reads the host's own clock zone rather than
the site's TIMEZONE, runs on every host that starts it, never catches up a time it missed while stopped, and needs
Redis; this loop asks once a minute "is the latest bulletin time past, and is that day's bulletin made as it reads
now?", so a restart or a missed minute only delays it, an edited article gives a new version the next minute,
and without Redis it still works. One host runs it at a time: the loop holds a Redis lock on a short lease
(services.infra.leases) or, without Redis, a lock file in the instance folder; another host's loop waits and takes
over within seconds of the first one's death. Nothing is made twice either way: the making job's id names the
bulletin's content, the job queue runs an id once, and the file cache makes a key once.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

LOCK_NAME = "docbai:bulletin-schedule"
TICK_SECONDS = 60.0


def latest_due_day(now: dt.datetime, zone: ZoneInfo, at: dt.time) -> dt.date:
    """The day whose bulletin time passed last: today once its time has come, yesterday before it."""
    local = now.astimezone(zone)
    return local.date() if local.time() >= at else local.date() - dt.timedelta(days=1)


@contextmanager
def schedule_lock(redis, lock_file: str, wait_seconds: float) -> Iterator[bool]:
    """Hold the one schedule lock of all hosts (Redis) or of this machine (a lock file without Redis) while the
    block runs; yields False when another holder kept it for wait_seconds."""
    if redis is not None:
        from services.infra.leases import held_lease

        with held_lease(redis, LOCK_NAME, wait_seconds) as held:
            yield held
        return
    lock = FileLock(lock_file)
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def run_schedule(tick: Callable[[], None], lock: Callable[[], object], stop: threading.Event,
                 tick_seconds: float = TICK_SECONDS) -> None:
    """Run tick() every tick_seconds while holding lock() (a context manager yielding whether it is held), until
    stop is set; without the lock, wait for it. A failing tick is logged and the loop goes on."""
    while not stop.is_set():
        with lock() as held:
            if not held:
                log.info("Another host makes the bulletins; waiting for its lock")
                continue
            while not stop.is_set():
                try:
                    tick()
                except Exception:  # noqa: BLE001 - the next minute tries again; the loop must not die
                    log.exception("Bulletin schedule tick failed")
                stop.wait(tick_seconds)
