"""The editors' lexicon in force in this process: the built-in lexicon overridden by the editors' entries (kept in
the database, shared by every host), read again whenever the lexicon's version token changes.

The token lives where the content version lives (Redis, or a file in the instance folder) and is replaced
after every change; each process looks at it at most every few tenths of a second (services.infra.recheck),
so a change is in force on every host within about a second, without a query per spoken sentence."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from redis.exceptions import RedisError

from services.infra.content_version import ContentVersion
from services.infra.recheck import Recheck
from services.vietnamese import Lexicon
from services.vietnamese.lexicon import Entry, lexicon_with

log = logging.getLogger(__name__)


class EditorLexicon:
    """The table in force for one site, and the one in force before the last change this process saw (whose
    audio is served until the new audio is made)."""

    RETRY_SECONDS = 10.0

    def __init__(self, load_entries: Callable[[], Sequence[Entry]], version: ContentVersion):
        self.load_entries = load_entries
        self.version = version
        self._lock = threading.Lock()
        self._token: str | None = None
        self._entries: tuple[Entry, ...] | None = None
        self._table: Lexicon | None = None
        self._previous: Lexicon | None = None
        self._retry = Recheck(self.RETRY_SECONDS)  # after a failed read, not on every sentence spoken meanwhile

    def table(self) -> Lexicon:
        """The built-in table extended and overridden by the editors' entries as they stand now."""
        try:
            token = self.version.current()
        except (RedisError, OSError) as error:
            # Redis (or the token's file) away: the table read last stays in force, and speech goes on.
            log.debug("Lexicon version not read, the table in force stays: %s", error)
            token = self._token
        with self._lock:
            if self._table is None or (token != self._token and self._retry.due()):
                self._load(token)
            return self._table

    def previous(self) -> Lexicon | None:
        """The table in force before the last change this process saw, or None."""
        self.table()
        return self._previous

    def refresh(self) -> Lexicon:
        """The table as the database holds it now, read at once (a job that must not act on a table a few tenths
        of a second old)."""
        token = self.version.current()
        with self._lock:
            self._load(token)
            return self._table

    def changed(self) -> None:
        """Tell every process that the entries changed (after the commit), and read them again here now."""
        try:
            self.version.bump()
        except (RedisError, OSError) as error:
            # The change is saved; other processes see it at the next change told to them.
            log.warning("Lexicon change not told to other processes: %s", error)
            with self._lock:
                self._load(self._token or "")
            return
        self.table()

    def _load(self, token: str) -> None:
        try:
            entries = tuple(self.load_entries())
        except Exception as error:  # the table not made yet (before `flask db upgrade`), the database away
            log.warning("Editors' lexicon not read, the last one read stays in force: %s", error)
            self._retry.seen()
            if self._table is None:
                self._table, self._entries = lexicon_with(()), ()
            return
        if entries != self._entries:
            if self._table is not None:
                self._previous = self._table
            self._table, self._entries = lexicon_with(entries), entries
        self._token = token
        self._retry = Recheck(self.RETRY_SECONDS)
