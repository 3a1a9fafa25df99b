"""The content version: one token that changes whenever an article, category, figure, photo, video or link
changes, so every cached page and fragment keyed by it is replaced at once, in every process and on every
host that reads the same token.

Two places hold it: Redis when the site has one (shared by all hosts), otherwise a small file in the
instance folder (shared by the web workers and the `flask` commands of one machine). Reading it costs a
Redis GET or one stat(); bumping it writes a new random token, so two bumps at once cannot collide.
"""
from __future__ import annotations

import os
import secrets
from typing import Protocol

from services.files import write_atomically


class ContentVersion(Protocol):
    """The current content version and the way to change it."""

    def current(self) -> str:
        """The token in force now."""

    def bump(self) -> None:
        """Replace the token: every page cached under the old one is stale."""


class FileContentVersion:
    """The token in a file, replaced atomically by a rename; read on every call (a few microseconds: an
    inode and a modification time could both come back the same after two quick bumps)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)

    def current(self) -> str:
        """The token in the file (a new one is written if there is none)."""
        try:
            with open(self.path, encoding="ascii") as file:
                return file.read().strip()
        except FileNotFoundError:
            self.bump()
            return self.current()

    def bump(self) -> None:
        """Write a new token (a rename, so a reader sees the old token or the new one, never half)."""
        write_atomically(self.path, secrets.token_hex(8).encode("ascii"))


class RedisContentVersion:
    """The token in one Redis key, shared by every process on every host."""

    def __init__(self, redis, key: str = "docbai:content-version"):
        self.redis = redis
        self.key = key

    def current(self) -> str:
        """The token in Redis; set once if Redis has none (a restart without persistence, an eviction)."""
        token = self.redis.get(self.key)
        if token is None:
            self.redis.set(self.key, secrets.token_hex(8), nx=True)
            token = self.redis.get(self.key)
        return token.decode("ascii") if isinstance(token, bytes) else str(token)

    def bump(self) -> None:
        """Set a new token."""
        self.redis.set(self.key, secrets.token_hex(8))
