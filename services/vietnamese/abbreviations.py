"""Abbreviations as editable data: the package's abbreviations.tsv merged with an optional site file."""
from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

logger = logging.getLogger(__name__)

BUILTIN_FILE = "abbreviations.tsv"
SIGN_SCOPE = "sign"
_SCOPES = ("", SIGN_SCOPE)


# eq=False: a table is hashed by identity, so caches of spoken text can be keyed by the table in force.
@dataclass(frozen=True, eq=False)
class Abbreviations:
    """Two case-sensitive tables: `general` applies everywhere, `sign` only inside document signs (QĐ-UBND)."""

    general: Mapping[str, str]
    sign: Mapping[str, str] = field(default_factory=dict)

    def in_sign(self, part: str) -> str | None:
        """Spoken form of one part of a document sign ("CT" in "CT-TTg"), or None when unknown."""
        return self.sign.get(part) or self.general.get(part)

    def expand(self, text: str) -> str:
        """Text with every whole-token abbreviation replaced by its spoken form."""
        if not self.general:
            return text
        return self._pattern.sub(self._replacement, text)

    @cached_property
    def _pattern(self) -> re.Pattern:
        return _pattern_for(tuple(sorted(self.general, key=len, reverse=True)))

    def _replacement(self, match: re.Match) -> str:
        key = match.group(0)
        spoken = self.general[key]
        following = match.string[match.end():match.end() + 1]
        # A dotted key ate its dot: "TP.HCM" must still become two words.
        if key.endswith(".") and following and (following.isalnum() or following == "("):
            return spoken + " "
        return spoken


@lru_cache(maxsize=16)
def _pattern_for(keys: tuple[str, ...]) -> re.Pattern:
    # Longest key first, so "KT-XH" wins over "KT" and "PCCC&CNCH" over "PCCC". A key is a whole token:
    # no letter or digit may touch it, but "-" and "/" may ("QĐ-UBND", "NQ/TW").
    alternatives = []
    for key in keys:
        escaped = re.escape(key)
        alternatives.append(escaped if not key[-1].isalnum() else escaped + r"(?![\w&])")
    return re.compile(r"(?<![\w&])(?:" + "|".join(alternatives) + ")")


def parse_abbreviations(text: str, source: str = "<text>") -> tuple[dict[str, str], dict[str, str]]:
    """(general, sign) tables from TSV text; malformed lines are logged and skipped, never fatal."""
    general: dict[str, str] = {}
    sign: dict[str, str] = {}
    for number, raw_line in enumerate(unicodedata.normalize("NFC", text).splitlines(), start=1):
        line = raw_line.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("\t")]
        scope = columns[2].lower() if len(columns) > 2 else ""
        if len(columns) < 2 or not columns[0] or not columns[1] or scope not in _SCOPES:
            logger.warning("%s:%d: skipped, expected ABBREVIATION<TAB>expansion[<TAB>sign]", source, number)
            continue
        (sign if scope == SIGN_SCOPE else general)[columns[0]] = columns[1]
    return general, sign


@lru_cache(maxsize=1)
def _builtin_tables() -> tuple[dict[str, str], dict[str, str]]:
    text = resources.files(__package__).joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return parse_abbreviations(text, BUILTIN_FILE)


@lru_cache(maxsize=8)
def _merged(extra_path: str | None, stamp: tuple[int, int] | None) -> Abbreviations:
    general, sign = (dict(table) for table in _builtin_tables())
    if extra_path and stamp is not None:
        try:
            with open(extra_path, encoding="utf-8") as extra_file:
                extra_general, extra_sign = parse_abbreviations(extra_file.read(), extra_path)
        except (OSError, UnicodeDecodeError) as error:
            logger.warning("abbreviations file %s not read: %s", extra_path, error)
        else:
            general.update(extra_general)
            sign.update(extra_sign)
    return Abbreviations(MappingProxyType(general), MappingProxyType(sign))


_editor_file: str | None = None


def use_editor_abbreviations(path: str | os.PathLike | None) -> None:
    """Make an editor's TSV file extend the built-in table wherever no other file is named."""
    global _editor_file
    _editor_file = os.fspath(path) if path else None


def load_abbreviations(extra_path: str | os.PathLike | None = None) -> Abbreviations:
    """The built-in table, overridden and extended by extra_path (default: the editor's file) when it exists."""
    path = os.fspath(extra_path) if extra_path else _editor_file
    stamp = None
    if path:
        try:
            status = os.stat(path)
            # Keyed by modification time and size, so an editor's change is picked up without a restart.
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
    return _merged(path, stamp)
