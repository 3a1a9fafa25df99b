"""Readiness: can this process do its work? Each check is a plain function of plain values that returns
quietly or raises with a short reason; ReadinessChecks runs them side by side, each within a time limit, so a
probe never hangs on a database or a mount that stopped answering."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

CHECK_SECONDS = 2.0
OK = "ok"
FAIL = "fail"
# RQ's own rule: a worker's key expires when no heartbeat came for its TTL (420 s) plus 60 s; an idle worker
# beats about every 405 s, a busy one every 30 s while its job runs.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = 480.0


class CheckFailed(RuntimeError):
    """A readiness check's reason for failing, said in a few words."""


def check_database(engine) -> None:
    """The database answers SELECT 1 (SQLAlchemy engine)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()


def check_redis(redis) -> None:
    """Redis answers PING."""
    if not redis.ping():
        raise CheckFailed("PING got no PONG")


def check_writable(folders: Iterable[str | os.PathLike[str]]) -> None:
    """A small file can be written to, and deleted from, each folder."""
    for folder in folders:
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-", suffix=".tmp") as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError as error:
            raise CheckFailed(f"{folder}: {error.strerror or error}") from error


def check_queue(pending: int, limit: int) -> None:
    """The generation queue has room: fewer than limit jobs queued or running."""
    if pending >= limit:
        raise CheckFailed(f"{pending} jobs queued, the limit is {limit}")


def check_worker_heartbeat(
    heartbeats: Iterable[dt.datetime | None], now: dt.datetime, max_age_seconds: float = WORKER_HEARTBEAT_MAX_AGE_SECONDS
) -> None:
    """Some `flask worker` listening to the queue sent its heartbeat less than max_age_seconds ago
    (heartbeats: the last_heartbeat of each registered RQ worker, in UTC)."""
    beats = [beat if beat.tzinfo else beat.replace(tzinfo=dt.timezone.utc) for beat in heartbeats if beat is not None]
    if not beats:
        raise CheckFailed("no `flask worker` is listening to the queue")
    age = (now - max(beats)).total_seconds()
    if age > max_age_seconds:
        raise CheckFailed(f"last worker heartbeat {age:.0f} s ago")


def rq_worker_heartbeats(queue) -> list[dt.datetime | None]:
    """The last heartbeat of each RQ worker registered for queue (an rq.Queue)."""
    from rq import Worker

    return [worker.last_heartbeat for worker in Worker.all(queue=queue)]


class ReadinessChecks:
    """Runs named checks at once, each in a daemon thread and answered within timeout seconds.

    A check that is still running from an earlier probe is waited for again rather than started twice, so a
    hung connection holds one thread, not one per probe. Daemon threads, not a ThreadPoolExecutor, whose
    threads the interpreter joins at exit: a hung check must not hold up a worker that is stopping."""

    def __init__(self, timeout: float = CHECK_SECONDS):
        self.timeout = timeout
        self._running: dict[str, Future] = {}
        self._guard = threading.Lock()

    def run(self, checks: Mapping[str, Callable[[], None]]) -> dict[str, str]:
        """Each check's result by name: "ok", or "fail: <reason>"."""
        with self._guard:
            futures = {}
            for name, check in checks.items():
                future = self._running.get(name)
                if future is None or future.done():
                    future = self._running[name] = _started(name, check)
                futures[name] = future
        deadline = time.monotonic() + self.timeout
        results = {}
        for name, future in futures.items():
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
                results[name] = OK
            except FutureTimeout:
                results[name] = f"{FAIL}: no answer within {self.timeout:g} s"
            except Exception as error:  # the check's own failure is the answer
                results[name] = f"{FAIL}: {_reason(error)}"
        return results


def _started(name: str, check: Callable[[], None]) -> Future:
    future: Future = Future()

    def run() -> None:
        try:
            check()
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(None)

    threading.Thread(target=run, name=f"readiness-{name}", daemon=True).start()
    return future


def _reason(error: BaseException) -> str:
    # SQLAlchemy wraps the driver's error in a message of its own (the statement, a link to its docs).
    error = getattr(error, "orig", None) or error
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
