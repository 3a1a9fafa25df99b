"""The editor's lexicon file (instance/abbreviations.tsv) merged with the built-in one, held per app."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from services.infra.recheck import Recheck
from services.vietnamese import Lexicon, load_lexicon


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
        self.recheck = Recheck(recheck_seconds, clock)
        self._lock = threading.Lock()
        self._table: Lexicon | None = None

    def table(self) -> Lexicon:
        """The built-in table extended and overridden by the editor's file as it stands now."""
        with self._lock:
            if self._table is None or self.recheck.due():
                self.recheck.seen()
                # load_lexicon keys its own cache by the file's time and size: an unchanged file
                # gives back the same table.
                self._table = load_lexicon(self.path)
            return self._table
