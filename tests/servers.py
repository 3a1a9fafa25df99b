"""Real server processes for the tests that start gunicorn and `flask worker` as an operator would
(test_two_hosts, test_deployment): a free port, a plain HTTP GET, and the processes a test started, each in
a session of its own so that stopping it also ends what it started (gunicorn's workers, RQ's work horses)."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, headers: dict | None = None, timeout: float = 60) -> tuple[int, bytes, dict]:
    """GET path from 127.0.0.1:port: (status, the whole body, the headers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def descendants(pid: int) -> list[psutil.Process]:
    """Every process the process pid started and that still runs, at any depth."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class Processes:
    """The processes a test started, their output appended to one log; stop_all() ends every one of them.

    Use as a context manager, or call stop_all() in a `finally`, so that a failing test leaves nothing running.
    """

    def __init__(self, log: Path):
        self.log = log
        self.started: list[subprocess.Popen] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_all()

    def start(self, command: list[str], environment: dict, cwd: Path = ROOT) -> subprocess.Popen:
        """Start command in a session of its own, its output going to the log."""
        with open(self.log, "ab") as log:
            process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=log, stderr=log, start_new_session=True)
        self.started.append(process)
        return process

    def wait_until_serving(self, process: subprocess.Popen, port: int, headers: dict | None = None,
                           seconds: float = START_SECONDS) -> None:
        """Return once the server answers / with a 200; fail with the log's end if it exits or never does."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}: {self.log_tail()}")
            try:
                if http_get(port, "/", headers, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server on port {port} did not answer in {seconds} s: {self.log_tail()}")

    def log_tail(self, characters: int = 3000) -> str:
        """The end of the log, for a failure's message."""
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else "(no log)"

    def stop(self, process: subprocess.Popen) -> None:
        """SIGTERM to its session (a graceful stop), then SIGKILL to whatever of it is left: the process and
        everything it started, found by parentage, since RQ's work horse leaves the session's process group."""
        if process.poll() is not None:
            return
        started = descendants(process.pid)
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started += descendants(process.pid)
            process.kill()
            process.wait(timeout=10)
        for child in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()  # psutil checks it is still the same process, not a new one with the same id
        psutil.wait_procs(started, timeout=10)

    def stop_all(self) -> None:
        """Stop every process started here, the newest first."""
        for process in reversed(self.started):
            self.stop(process)
