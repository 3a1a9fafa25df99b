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
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from services.infra.files import write_atomically
from services.infra.recheck import Recheck


class ContentVersion:
    """The token in force and the way to change it; where it lives is a subclass's _read and _write.

    This process re-reads the token at most every recheck_seconds and uses what it read in between; a token
    it wrote itself is in force here at once."""

    def __init__(self, recheck_seconds: float = 0.0):
        self.recheck_seconds = recheck_seconds
        self._token: str | None = None
        self._recheck = Recheck(recheck_seconds)
        self._guard = threading.Lock()

    def current(self) -> str:
        """The token in force now."""
        token = self._token
        if token is not None and not self._recheck.due():
            return token
        reading_since = self._recheck.now()
        token = self._read()
        with self._guard:
            if self._recheck.seen(at=reading_since):  # unless this process bumped the token meanwhile
                self._token = token
        return token

    def bump(self) -> None:
        """Replace the token: every page cached under the old one is stale."""
        token = secrets.token_hex(8)
        self._write(token)
        with self._guard:
            self._token = token
            self._recheck.seen()

    def _read(self) -> str:
        raise NotImplementedError

    def _write(self, token: str) -> None:
        raise NotImplementedError


class FileContentVersion(ContentVersion):
    """The token in a file, replaced atomically by a rename (a reader sees the old token or the new one,
    never half) and read whole (an inode and a modification time could both come back the same after two
    quick bumps); a new one is written if there is none."""

    def __init__(self, path: str | os.PathLike[str], recheck_seconds: float = 0.0):
        super().__init__(recheck_seconds)
        self.path = os.fspath(path)

    def _read(self) -> str:
        try:
            with open(self.path, encoding="ascii") as file:
                return file.read().strip()
        except FileNotFoundError:
            self.bump()
            return self._read()

    def _write(self, token: str) -> None:
        write_atomically(self.path, token.encode("ascii"))


class RedisContentVersion(ContentVersion):
    """The token in one Redis key, shared by every process on every host; set once if Redis has none (a
    restart without persistence, an eviction)."""

    def __init__(self, redis, key: str = "docbai:content-version", recheck_seconds: float = 0.0):
        super().__init__(recheck_seconds)
        self.redis = redis
        self.key = key

    def _read(self) -> str:
        token = self.redis.get(self.key)
        if token is None:
            self.redis.set(self.key, secrets.token_hex(8), nx=True)
            token = self.redis.get(self.key)
        return token.decode("ascii") if isinstance(token, bytes) else str(token)

    def _write(self, token: str) -> None:
        self.redis.set(self.key, token)


_CHANGED = "docbai_content_changed"


class ContentChanges:
    """Bumps the content version after every commit that changed content: an insert, update or delete of one
    of content_models through the ORM, or an UPDATE/DELETE statement on their tables — except statements
    marked with the execution option `ignored_option` (the view counter's, which changes no page but its count).

    SQLAlchemy's session events are global, so one listener serves every app of the process: version_now()
    finds the content version of the app the commit belongs to (None outside any app: nothing to bump)."""

    def __init__(
        self, content_models: tuple[type, ...], version_now: Callable[[], ContentVersion | None], ignored_option: str
    ):
        self.content_models = content_models
        self.version_now = version_now
        self.ignored_option = ignored_option

    def listen(self) -> None:
        """Register the listeners on every Session, once per process: later calls do nothing (the first
        listener's version_now looks the app up at each commit, so it serves every app)."""
        global _listening
        if _listening is not None:
            return
        _listening = self
        event.listen(Session, "after_flush", self._note_flushed_changes)
        event.listen(Session, "do_orm_execute", self._note_bulk_changes)
        event.listen(Session, "after_commit", self._bump_after_commit)
        event.listen(Session, "after_rollback", self._forget_after_rollback)

    def _note_flushed_changes(self, session, flush_context) -> None:
        if any(isinstance(item, self.content_models) for item in (*session.new, *session.dirty, *session.deleted)):
            session.info[_CHANGED] = True

    def _note_bulk_changes(self, execute_state) -> None:
        if not (execute_state.is_update or execute_state.is_delete):
            return
        if execute_state.execution_options.get(self.ignored_option):
            return
        mapper = execute_state.bind_mapper
        if mapper is not None and issubclass(mapper.class_, self.content_models):
            execute_state.session.info[_CHANGED] = True

    def _bump_after_commit(self, session) -> None:
        if session.info.pop(_CHANGED, False) and (version := self.version_now()) is not None:
            version.bump()

    def _forget_after_rollback(self, session) -> None:
        session.info.pop(_CHANGED, None)


_listening: ContentChanges | None = None
