"""Static files by content: fingerprints for cache-busting URLs, and the stylesheet that is inlined."""
from __future__ import annotations

import base64
import hashlib
import os
import stat
import threading
from functools import lru_cache
from dataclasses import dataclass

import rcssmin

from services.infra.recheck import Recheck

FINGERPRINT_LENGTH = 12


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int]  # (mtime_ns, size): a changed file gets a new fingerprint without a restart
    fingerprint: str
    text: str | None


class StaticFiles:
    """Fingerprints (and, for inlined stylesheets, the text) of files under one static folder.

    Results are kept per file and recomputed only when the file's modification time or size changes, so
    a running server picks up an edited stylesheet. With recheck_seconds the file is looked at (one stat())
    at most that often: every page names the inlined stylesheet twice, and a stat() on every page costs a
    busy threaded server more than the stat itself, since each one lets another thread take the GIL.
    """

    def __init__(self, root: str, recheck_seconds: float = 0.0):
        self.root = os.path.realpath(root)
        self.recheck_seconds = recheck_seconds
        self._recheck = Recheck(recheck_seconds)  # when each file's stamp was last compared
        self._entries: dict[str, _Entry] = {}
        self._minified: dict[tuple[str, str], str] = {}
        self._paths: dict[str, str | None] = {}
        self._listings: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _path(self, filename: str) -> str | None:
        # realpath() walks the file system, so where a name leads is worked out once per name.
        if filename not in self._paths:
            path = os.path.realpath(os.path.join(self.root, filename))
            self._paths[filename] = path if path.startswith(self.root + os.sep) else None
        return self._paths[filename]

    def _entry(self, filename: str, want_text: bool = False) -> _Entry | None:
        path = self._path(filename) if filename else None
        if path is None:
            return None
        entry = self._entries.get(filename)
        usable = entry is not None and (entry.text is not None or not want_text)
        now = self._recheck.now()
        if usable and not self._recheck.due(filename, now):
            return entry
        try:
            status = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        self._recheck.seen(filename, now)
        stamp = (status.st_mtime_ns, status.st_size)
        if usable and entry.stamp == stamp:
            return entry
        with open(path, "rb") as handle:
            data = handle.read()
        text = data.decode("utf-8") if want_text else None
        entry = _Entry(stamp, hashlib.sha256(data).hexdigest()[:FINGERPRINT_LENGTH], text)
        with self._lock:
            self._entries[filename] = entry
        return entry

    def fingerprint(self, filename: str) -> str | None:
        """A short hash of the file's content, or None when there is no such file under the root."""
        entry = self._entry(filename)
        return entry.fingerprint if entry else None

    def text(self, filename: str) -> str:
        """A text file's content (read again only when it changes)."""
        entry = self._entry(filename, want_text=True)
        if entry is None:
            raise FileNotFoundError(filename)
        return entry.text

    def names(self, folder: str, suffix: str) -> tuple[str, ...]:
        """The files directly in a folder under the root whose names end with suffix, as sorted static names
        ("js/player/locator.js"); the folder is listed again at most every recheck_seconds, like a file's stamp."""
        key = ("listing", folder, suffix)
        now = self._recheck.now()
        listed = self._listings.get(key)
        if listed is not None and not self._recheck.due(key, now):
            return listed
        path = self._path(folder)
        names: tuple[str, ...] = ()
        if path is not None:
            try:
                with os.scandir(path) as entries:
                    names = tuple(sorted(f"{folder}/{entry.name}" for entry in entries
                                         if entry.name.endswith(suffix) and entry.is_file()))
            except OSError:
                pass  # no such folder: nothing in it
        with self._lock:
            self._listings[key] = names
            self._recheck.seen(key, now)
        return names

    def minified_css(self, filename: str) -> str:
        """A stylesheet without comments and spare whitespace (rcssmin), for inlining into pages."""
        text = self.text(filename)
        key = (filename, self.fingerprint(filename))
        if key not in self._minified:
            with self._lock:
                self._minified = {k: v for k, v in self._minified.items() if k[0] != filename}
                self._minified[key] = rcssmin.cssmin(text)
        return self._minified[key]


@lru_cache(maxsize=8)
def csp_hash_source(text: str) -> str:
    """The Content-Security-Policy source ('sha256-…') that allows exactly this inline text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
