"""The editor's lexicon file (instance/abbreviations.tsv) merged with the built-in one, held per app."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from services.vietnamese import Abbreviations, load_abbreviations


class EditorLexicon:
    """The table in force for one site: read again when the editor's file changes, checked at most every
    few seconds rather than stat'ed on every spoken sentence."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        recheck_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = os.fspath(path) if path else None
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._table: Abbreviations | None = None
        self._checked_at = float("-inf")

    def table(self) -> Abbreviations:
        """The built-in table extended and overridden by the editor's file as it stands now."""
        with self._lock:
            now = self.clock()
            if self._table is None or now - self._checked_at >= self.recheck_seconds:
                self._checked_at = now
                stamp = self._file_stamp()
                if self._table is None or stamp != self._stamp:
                    self._table = load_abbreviations(self.path if stamp else None)
                    self._stamp = stamp
            return self._table

    def _file_stamp(self) -> tuple[int, int] | None:
        if not self.path:
            return None
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        # Size too: an edit within the filesystem's timestamp resolution still changes it, most likely.
        return status.st_mtime_ns, status.st_size
