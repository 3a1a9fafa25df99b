"""Work started by a request that runs after it: one daemon thread per kind of work, in an app context."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

from filelock import FileLock, Timeout


class BackgroundWork:
    """Runs a named job in a thread with the app's context; one job of a name at a time in this process
    (a lock) and on this server (a file lock), however many requests ask for it."""

    def __init__(self, app, lock_directory: str | os.PathLike[str]):
        self._app = app
        self._lock_directory = os.fspath(lock_directory)
        self._running: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def start(self, name: str, job: Callable[[], None]) -> threading.Thread | None:
        """Start job() in the background; None when a job of this name is already running here."""
        with self._guard:
            running = self._running.setdefault(name, threading.Lock())
        if not running.acquire(blocking=False):
            return None
        thread = threading.Thread(target=self._run, args=(name, job, running), name=name, daemon=True)
        try:
            thread.start()
        except BaseException:
            running.release()
            raise
        return thread

    def _run(self, name: str, job: Callable[[], None], running: threading.Lock) -> None:
        os.makedirs(self._lock_directory, exist_ok=True)
        try:
            with FileLock(os.path.join(self._lock_directory, f"{name}.lock"), timeout=0), self._app.app_context():
                job()
        except Timeout:
            pass  # another process runs this job already; the next request that needs it looks again
        except Exception:
            self._app.logger.exception("Background job %s failed", name)
        finally:
            running.release()
