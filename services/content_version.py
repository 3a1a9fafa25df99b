"""The content version: one token that changes whenever an article, category, figure, photo, video or link
changes, so every cached page and fragment keyed by it is replaced, in every process and on every host
that reads the same token (within the half second described below).

Two places hold it: Redis when the site has one (shared by all hosts), otherwise a small file in the
instance folder (shared by the web workers and the `flask` commands of one machine). Bumping it writes a
new random token, so two bumps at once cannot collide.

A process reads the token at most every `recheck_seconds` (half a second on a production server) and uses
what it read in between; its own bumps count at once. Reading on every request cost a busy threaded
server a fifth of its pages per second: each read is a system call or a network round trip that hands the
GIL to another thread. So an edit made by another process or host shows there within that half second —
less than the few seconds a proxy's micro-cache may keep a page anyway.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Protocol

from services.files import write_atomically


class ContentVersion(Protocol):
    """The current content version and the way to change it."""

    def current(self) -> str:
        """The token in force now."""

    def bump(self) -> None:
        """Replace the token: every page cached under the old one is stale."""


class _RecentToken:
    """The token a process last read or wrote, and when (time.monotonic())."""

    def __init__(self, read: Callable[[], str], recheck_seconds: float):
        self._read = read
        self.recheck_seconds = recheck_seconds
        self._token: str | None = None
        self._read_at = 0.0
        self._guard = threading.Lock()

    def current(self) -> str:
        now = time.monotonic()
        token = self._token
        if token is not None and now - self._read_at < self.recheck_seconds:
            return token
        token = self._read()
        with self._guard:
            if now > self._read_at:  # unless this process bumped the token while it was being read
                self._token, self._read_at = token, now
        return token

    def wrote(self, token: str) -> None:
        with self._guard:
            self._token, self._read_at = token, time.monotonic()


class FileContentVersion:
    """The token in a file, replaced atomically by a rename and read whole (an inode and a modification
    time could both come back the same after two quick bumps)."""

    def __init__(self, path: str | os.PathLike[str], recheck_seconds: float = 0.0):
        self.path = os.fspath(path)
        self._recent = _RecentToken(self._read, recheck_seconds)

    def current(self) -> str:
        """The token in force (a new one is written if there is none)."""
        return self._recent.current()

    def _read(self) -> str:
        try:
            with open(self.path, encoding="ascii") as file:
                return file.read().strip()
        except FileNotFoundError:
            self.bump()
            return self._read()

    def bump(self) -> None:
        """Write a new token (a rename, so a reader sees the old token or the new one, never half)."""
        token = secrets.token_hex(8)
        write_atomically(self.path, token.encode("ascii"))
        self._recent.wrote(token)


class RedisContentVersion:
    """The token in one Redis key, shared by every process on every host."""

    def __init__(self, redis, key: str = "docbai:content-version", recheck_seconds: float = 0.0):
        self.redis = redis
        self.key = key
        self._recent = _RecentToken(self._read, recheck_seconds)

    def current(self) -> str:
        """The token in force; set once if Redis has none (a restart without persistence, an eviction)."""
        return self._recent.current()

    def _read(self) -> str:
        token = self.redis.get(self.key)
        if token is None:
            self.redis.set(self.key, secrets.token_hex(8), nx=True)
            token = self.redis.get(self.key)
        return token.decode("ascii") if isinstance(token, bytes) else str(token)

    def bump(self) -> None:
        """Set a new token."""
        token = secrets.token_hex(8)
        self.redis.set(self.key, token)
        self._recent.wrote(token)
