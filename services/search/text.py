"""Search text: folding Vietnamese for matching, reading a query safely, and highlighted snippets.

Pure functions of text; the database side lives in services/search/index.py.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from services.content.html_fragments import BLOCK_ELEMENTS, parse_fragment

MAX_QUERY_LENGTH = 200
# More words than this add nothing to a news search and only make the query slower.
MAX_QUERY_WORDS = 12
SNIPPET_WORDS = 32

# A word is a run of letters and digits; everything else (quotes, *, -, :, ^, brackets) separates words,
# so no character a user types can become a query operator.
WORD = re.compile(r"[^\W_]+")

# A line break separates words as a block does.
_WORD_BREAKING_TAGS = BLOCK_ELEMENTS | {"br"}


def _fold_character(character: str) -> str:
    # Unicode gives đ/Đ no decomposition (it is a letter of its own, not d plus a mark), yet Vietnamese
    # typed without diacritics writes it d, so it is mapped by hand.
    if character in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", character)[0].lower()
    # One character in, one out: positions in folded text are positions in the original.
    return base if len(base) == 1 else character


class _FoldTable(dict):
    """str.translate's table for fold(): each character is worked out once, then looked up at C speed (a search
    page folds every word of eight results). Bounded, so text of made-up characters cannot grow it for ever."""

    LIMIT = 8192

    def __missing__(self, code: int) -> str:
        folded = _fold_character(chr(code))
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lowercase text without diacritics, đ as d, one character for each character of the NFC text."""
    return unicodedata.normalize("NFC", text or "").translate(_FOLD_TABLE)


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment, with block elements kept apart by line breaks."""
    return _html_to_text(html or "")


@lru_cache(maxsize=512)
def _html_to_text(html: str) -> str:
    if not html.strip():
        return ""
    root = parse_fragment(html)
    for element in root.iter():
        # Without a break, "<p>một</p><p>hai</p>" would read as the single word "mộthai".
        if element.tag in _WORD_BREAKING_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return unicodedata.normalize("NFC", " ".join(root.text_content().split()))


@dataclass(frozen=True)
class SearchQuery:
    text: str  # what the reader typed, trimmed and cut to MAX_QUERY_LENGTH, shown back in the form
    words: tuple[str, ...]  # the words searched for, as typed
    folded: tuple[str, ...]  # the same words folded, for the index and for highlighting
    was_cut: bool  # the query was longer than MAX_QUERY_LENGTH or had more than MAX_QUERY_WORDS words

    @property
    def is_empty(self) -> bool:
        """True when there is no word to search for."""
        return not self.words


def parse_query(raw: str | None) -> SearchQuery:
    """The words of a reader's query; operators and punctuation are dropped, never interpreted."""
    text = " ".join(unicodedata.normalize("NFC", raw or "").split())
    was_cut = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    words: list[str] = []
    folded: list[str] = []
    for match in WORD.finditer(text):
        folded_word = fold(match.group())
        if folded_word in folded:
            continue
        if len(words) == MAX_QUERY_WORDS:
            was_cut = True
            break
        words.append(match.group())
        folded.append(folded_word)
    return SearchQuery(text, tuple(words), tuple(folded), was_cut)


def fts5_match_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: every word quoted; the words next to each other rank higher."""
    # Words are runs of letters and digits, so quoting them leaves nothing FTS5 could read as syntax.
    quoted = [f'"{word}"' for word in query.folded]
    every_word = " AND ".join(quoted)
    if len(quoted) == 1:
        return every_word
    # bm25 sums over the phrases of the query, so an article holding the words as a phrase scores more.
    return f'"{" ".join(query.folded)}" OR ({every_word})'


def highlight(text: str, query: SearchQuery) -> Markup:
    """Text, escaped, with every searched-for word wrapped in <mark>."""
    text = unicodedata.normalize("NFC", text or "")
    folded_text = fold(text)
    wanted = set(query.folded)
    pieces: list[str] = []
    position = 0
    for match in WORD.finditer(folded_text):
        if match.group() in wanted:
            pieces.append(escape(text[position:match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % text[match.start():match.end()])
            position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def snippet(text: str, query: SearchQuery, length: int = SNIPPET_WORDS) -> Markup:
    """A short passage of text around the searched-for words, highlighted; the start of text if none is in it."""
    text = unicodedata.normalize("NFC", text or "")
    folded_text = fold(text)  # position for position the text's, so each word is a slice of it
    spans = [match.span() for match in WORD.finditer(folded_text)]
    if not spans:
        return Markup("")
    folded_words = [folded_text[start:end] for start, end in spans]
    wanted = set(query.folded)
    first = _best_window_start(folded_words, wanted, length)
    last = min(len(spans), first + length) - 1
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    passage = highlight(text[start:end], query)
    return Markup("").join([Markup("… ") if start else "", passage, Markup(" …") if end < len(text) else ""])


def _best_window_start(words: list[str], wanted: set[str], length: int) -> int:
    # The window that holds the most different searched-for words, the earliest of equals; a few words
    # of context are kept before the first match so the passage does not start mid-thought.
    lead = min(6, length // 4)
    best_start, best_score = 0, 0
    for index, word in enumerate(words):
        if word not in wanted:
            continue
        start = max(0, index - lead)
        score = len(wanted.intersection(words[start:start + length]))
        if score > best_score:
            best_start, best_score = start, score
            if score == len(wanted):
                break
    return best_start


def result_snippet(summary: str, body_text: str, query: SearchQuery) -> Markup:
    """The passage shown under a search result: from the summary and body, around the words found."""
    return snippet(" ".join(part for part in (summary, body_text) if part), query)
