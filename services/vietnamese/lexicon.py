"""The pronunciation lexicon as editable data: abbreviations, whole words and context rules, read from TSV.

The package ships abbreviations.tsv and lexicon.tsv; a site adds or overrides entries with its editors' own (Entry,
lexicon_with(); the site keeps them in its database and moves them in and out in the same format, read_entries()
and write_entries()). One line is KEY<TAB>spoken[<TAB>kind[<TAB>context]]:
- kind "" (an abbreviation): case-sensitive whole token ("UBND", "QĐ-UBND", "TP.");
- kind "sign": only inside a document sign ("CT" in "12/CT-TTg" is Chỉ thị);
- kind "word": a whole word or name in any case ("Covid", "COVID", "online", "Đắk Lắk");
- context: conditions on the text around the key, all of which must hold, separated by ";":
  next=A|B (the text after starts with A or B), prev=A|B (the text before ends with A or B);
  {year} stands for a year (1900-2099) and {number} for any number. An entry with a context is tried before
  the plain entry of the same key, in file order ("BCH" is Ban Chỉ huy before "Quân sự", else Ban Chấp hành).
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Iterable, Mapping

logger = logging.getLogger(__name__)

# A run of letters and digits: what the first word of an entry and the words of a text are compared by.
_TOKEN = re.compile(r"[^\W_]+")

BUILTIN_FILES = ("abbreviations.tsv", "lexicon.tsv")
SIGN_KIND = "sign"
WORD_KIND = "word"
_KINDS = ("", SIGN_KIND, WORD_KIND)

_PLACEHOLDERS = {"{year}": r"(?:19|20)\d\d(?!\d)", "{number}": r"\d+"}


@dataclass(frozen=True)
class Change:
    """One part of the text that a rule or lexicon entry changed: what was written, what is said, and why."""

    original: str
    spoken: str
    rule: str


@dataclass(frozen=True)
class ContextRule:
    """An abbreviation read one way only when the words around it say so ("BCH" before "Quân sự")."""

    key: str
    spoken: str
    context: str

    @cached_property
    def _conditions(self) -> tuple[tuple[str, re.Pattern], ...]:
        return tuple(_compile_condition(part) for part in self.context.split(";") if part.strip())

    def holds(self, text: str, start: int, end: int) -> bool:
        """Whether every condition holds for the key found at text[start:end]."""
        for side, pattern in self._conditions:
            if side == "next" and not pattern.match(text, end):
                return False
            if side == "prev" and not pattern.search(text[max(0, start - 60):start]):
                return False
        return True

    @property
    def looks_ahead(self) -> bool:
        return any(side == "next" for side, _ in self._conditions)

    @property
    def name(self) -> str:
        return f"lexicon {self.key} ({self.context})"


def _alternatives(values: str) -> str:
    parts = []
    for value in filter(None, (value.strip() for value in values.split("|"))):
        escaped = re.escape(value)
        for placeholder, pattern in _PLACEHOLDERS.items():
            escaped = escaped.replace(re.escape(placeholder), pattern)
        # A word must end where the alternative ends: "QS" is not the start of "QSX".
        parts.append(escaped + (r"(?!\w)" if value[-1].isalnum() else ""))
    return "|".join(parts)


def _compile_condition(condition: str) -> tuple[str, re.Pattern]:
    side, _, values = condition.strip().partition("=")
    side = side.strip().lower()
    if side not in ("next", "prev") or not _alternatives(values):
        raise ValueError(f"unknown condition {condition!r}")
    if side == "next":
        return side, re.compile(r"\.?[ \t]*(?:" + _alternatives(values) + ")", re.IGNORECASE)
    return side, re.compile(r"(?<!\w)(?:" + _alternatives(values) + r")[ \t(]*$", re.IGNORECASE)


# eq=False: a table is hashed by identity, so caches of spoken text can be keyed by the table in force.
@dataclass(frozen=True, eq=False)
class Lexicon:
    """Abbreviations (`general`, case-sensitive), document-sign parts (`sign`), whole words in any case
    (`words`, keyed by their case-folded form) and context rules, tried before the plain entries."""

    general: Mapping[str, str]
    sign: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    rules: tuple[ContextRule, ...] = ()

    def in_sign(self, part: str) -> str | None:
        """Spoken form of one part of a document sign ("CT" in "CT-TTg"), or None when unknown."""
        return self.sign.get(part) or self.general.get(part)

    def expand(self, text: str, trace: list[Change] | None = None) -> str:
        """Text with every whole word of the lexicon and every whole-token abbreviation spoken, appending to
        trace one Change per replaced word or abbreviation."""
        # The big alternations run only when a word of the text can start an entry: most sentences hold
        # none of the loanwords, and scanning for them costs more than the rest of a sentence's passes.
        tokens = _TOKEN.findall(text)
        if self.words and not self._word_heads.isdisjoint(token.casefold() for token in tokens):
            text = self._word_pattern.sub(lambda m: self._replace_word(m, trace), text)
            tokens = _TOKEN.findall(text)
        if self.general and not self._general_heads.isdisjoint(tokens):
            text = self._pattern.sub(lambda m: self._replace_abbreviation(m, trace), text)
        return text

    def apply_rules(self, text: str, trace: list[Change] | None = None) -> str:
        """Text with the abbreviations whose context rule holds replaced (run before numbers are spoken,
        so a rule can look at "SN 1985" or "TT. HĐND" as written)."""
        if not self.rules:
            return text

        def replace(match: re.Match) -> str:
            key = match.group(0).rstrip(".")
            for rule in self._rules_by_key.get(key, ()):
                # The dot after a key is the key's own only when a next= condition reads past it ("TT. HĐND");
                # otherwise it may end the sentence ("14 độ C.") and stays.
                end = match.end() if rule.looks_ahead else match.start() + len(key)
                if rule.holds(match.string, match.start(), end):
                    return _record(trace, match, rule.spoken, rule.name) + match.string[end:match.end()]
            return match.group(0)

        return self._rule_pattern.sub(replace, text)

    @cached_property
    def _pattern(self) -> re.Pattern:
        return _pattern_for(tuple(sorted(self.general, key=len, reverse=True)))

    @cached_property
    def _word_pattern(self) -> re.Pattern:
        keys = sorted(self.words, key=len, reverse=True)
        return re.compile(r"(?<![\w'’&-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w'’&]|-\w)",
                          re.IGNORECASE)

    @cached_property
    def _general_heads(self) -> frozenset[str]:
        return frozenset(_TOKEN.match(key)[0] for key in self.general if _TOKEN.match(key))

    @cached_property
    def _word_heads(self) -> frozenset[str]:
        return frozenset(_TOKEN.match(key)[0] for key in self.words if _TOKEN.match(key))

    @cached_property
    def _rules_by_key(self) -> dict[str, tuple[ContextRule, ...]]:
        grouped: dict[str, list[ContextRule]] = {}
        for rule in self.rules:
            grouped.setdefault(rule.key.rstrip("."), []).append(rule)
        return {key: tuple(rules) for key, rules in grouped.items()}

    @cached_property
    def _rule_pattern(self) -> re.Pattern:
        keys = sorted(self._rules_by_key, key=len, reverse=True)
        # The key with or without its dot: "TT. HĐND", "TT.HĐND" and "TT HĐND" are the same writing.
        return re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, keys)) + r")(?:\.|(?![\w&]))")

    def _replace_word(self, match: re.Match, trace: list[Change] | None) -> str:
        written = match.group(0)
        spoken = self.words[written.casefold()]
        # "Covid" and "Zalo" are names and keep their capital; an acronym ("COVID", "MWp") is just a word.
        if written[0].isupper() and written[1:2].islower() and spoken[0].islower():
            spoken = spoken[0].upper() + spoken[1:]
        return _record(trace, match, spoken, f"lexicon {written}")

    def _replace_abbreviation(self, match: re.Match, trace: list[Change] | None) -> str:
        key = match.group(0)
        spoken = self.general[key]
        following = match.string[match.end():match.end() + 1]
        # A dotted key ate its dot: "TP.HCM" must still become two words.
        if key.endswith(".") and following and (following.isalnum() or following == "("):
            spoken += " "
        return _record(trace, match, spoken, f"abbreviation {key}")


def _record(trace: list[Change] | None, match: re.Match, spoken: str, rule: str) -> str:
    if trace is not None and spoken != match.group(0):
        trace.append(Change(match.group(0), spoken.strip(), rule))
    if match.end() < len(match.string) and match.string[match.end()].isalnum() and not spoken.endswith(" "):
        spoken += " "
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


@dataclass
class _Entries:
    general: dict[str, str] = field(default_factory=dict)
    sign: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    rules: dict[tuple[str, str], ContextRule] = field(default_factory=dict)

    def update(self, other: _Entries) -> None:
        self.general.update(other.general)
        self.sign.update(other.sign)
        self.words.update(other.words)
        self.rules.update(other.rules)


@dataclass(frozen=True)
class Entry:
    """One line of a lexicon as written: the key, its spoken form, its kind ("" abbreviation, "sign", "word")
    and its context (conditions on the words around it, or "")."""

    key: str
    spoken: str
    kind: str = ""
    context: str = ""

    def as_tsv(self) -> str:
        """The entry as one TSV line (without its line break), trailing empty columns left out."""
        columns = [self.key, self.spoken, self.kind, self.context]
        while not columns[-1]:
            columns.pop()
        return "\t".join(columns)


def checked_entry(key: str, spoken: str, kind: str = "", context: str = "") -> Entry:
    """An entry with its parts cleaned (NFC, spaces collapsed); ValueError saying what is wrong with it."""
    key, spoken, context = (" ".join(unicodedata.normalize("NFC", part or "").split()) for part in (key, spoken, context))
    kind = (kind or "").strip().lower()
    if not key or not spoken:
        raise ValueError("an entry needs its written and its spoken form")
    if "\t" in key + spoken + context or kind not in _KINDS:
        raise ValueError(f"unknown kind {kind!r}" if kind not in _KINDS else "a tab inside an entry")
    if context:
        ContextRule(key, spoken, context)._conditions  # ValueError for an unknown condition
    return Entry(key, spoken, kind, context)


def read_entries(text: str, source: str = "<text>") -> list[Entry]:
    """The entries of TSV text in file order; a malformed line is logged and skipped, never fatal."""
    entries = []
    for number, raw_line in enumerate(unicodedata.normalize("NFC", text).splitlines(), start=1):
        line = raw_line.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in line.split("\t")]
        if len(columns) < 2 or not columns[0] or not columns[1]:
            logger.warning("%s:%d: skipped, expected KEY<TAB>spoken[<TAB>kind[<TAB>context]]", source, number)
            continue
        try:
            entries.append(checked_entry(*columns[:4]))
        except ValueError as error:
            logger.warning("%s:%d: skipped, %s", source, number, error)
    return entries


def write_entries(entries: Iterable[Entry]) -> str:
    """Entries as TSV text that read_entries() reads back the same, with a header comment."""
    lines = ["# cách viết<TAB>cách đọc[<TAB>loại[<TAB>ngữ cảnh]]; loại: trống (chữ viết tắt), word (từ nguyên), "
             "sign (trong số hiệu văn bản); ngữ cảnh: next=từ sau|từ khác;prev=từ trước"]
    lines += [entry.as_tsv() for entry in entries]
    return "\n".join(lines) + "\n"


def _entries_of(lines: Iterable[Entry]) -> _Entries:
    entries = _Entries()
    for line in lines:
        if line.context:
            rule = ContextRule(line.key, line.spoken, line.context)
            try:
                rule._conditions
            except ValueError as error:  # an entry stored before its context was checked: skipped, never fatal
                logger.warning("lexicon entry %s skipped: %s", line.key, error)
                continue
            entries.rules[(line.key.rstrip("."), line.context)] = rule
        elif line.kind == SIGN_KIND:
            entries.sign[line.key] = line.spoken
        elif line.kind == WORD_KIND:
            entries.words[line.key.casefold()] = line.spoken
        else:
            entries.general[line.key] = line.spoken
    return entries


def parse_lexicon(text: str, source: str = "<text>") -> _Entries:
    """Entries from TSV text; a malformed line is logged and skipped, never fatal."""
    return _entries_of(read_entries(text, source))


def parse_abbreviations(text: str, source: str = "<text>") -> tuple[dict[str, str], dict[str, str]]:
    """(general, sign) tables from TSV text, as before the lexicon had words and rules."""
    entries = parse_lexicon(text, source)
    return entries.general, entries.sign


@lru_cache(maxsize=1)
def _builtin_entries() -> _Entries:
    entries = _Entries()
    for name in BUILTIN_FILES:
        entries.update(parse_lexicon(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"), name))
    return entries


def _with_builtin(extra: _Entries) -> Lexicon:
    entries = _Entries()
    entries.update(_builtin_entries())
    entries.update(extra)
    # The editor's rules are tried first, so a site can narrow a built-in reading.
    rules = list(extra.rules.values()) + [rule for key, rule in entries.rules.items() if key not in extra.rules]
    return Lexicon(MappingProxyType(entries.general), MappingProxyType(entries.sign),
                   MappingProxyType(entries.words), tuple(rules))


def lexicon_with(extra: Iterable[Entry]) -> Lexicon:
    """The built-in lexicon, overridden and extended by these entries (the editors', in order)."""
    return _with_builtin(_entries_of(extra))


@lru_cache(maxsize=8)
def _merged(extra_path: str | None, stamp: tuple[int, int] | None) -> Lexicon:
    extra = _Entries()
    if extra_path and stamp is not None:
        try:
            with open(extra_path, encoding="utf-8") as extra_file:
                extra = parse_lexicon(extra_file.read(), extra_path)
        except (OSError, UnicodeDecodeError) as error:
            logger.warning("lexicon file %s not read: %s", extra_path, error)
    return _with_builtin(extra)


def load_lexicon(extra_path: str | os.PathLike | None = None) -> Lexicon:
    """The built-in lexicon, overridden and extended by the TSV file at extra_path when it exists."""
    path = os.fspath(extra_path) if extra_path else None
    stamp = None
    if path:
        try:
            status = os.stat(path)
            # Keyed by modification time and size, so an editor's change is picked up without a restart.
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            path = None  # a missing file gives the built-in table itself
    return _merged(path, stamp)
