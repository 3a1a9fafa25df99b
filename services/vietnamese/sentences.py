"""The one sentence splitter: a paragraph into sentences for speaking, highlighting and skipping.

A sentence ends at ".", "!", "?" or an ellipsis (with any closing quotes or brackets after it) followed by a
space and a capital letter, a digit or an opening quote — or at a line break. It does not end after a dotted
title or place word ("TP.", "tp.", "PGS.TS.", "ThS.", "Q.", "P."), an initial ("Nguyễn V. A."), inside a number
("1.250", "3.5") or an address ("12/5 Lê Lợi", "P.12, Q.5"), or at an ellipsis followed by a small letter.
"""
from __future__ import annotations

import re

from services.vietnamese.lexicon import Lexicon, load_lexicon

# A candidate boundary: terminal punctuation, any closing quotes or brackets, then whitespace.
_CANDIDATE = re.compile(r"(?:\.\.\.|[.!?…])+[\"”’»)\]]*\s+")
_OPENERS = "\"“‘«([-–—"
# Dotted short forms that never end a sentence, beyond the dotted keys of the lexicon.
_NON_TERMINAL = {"TP.", "Tp.", "tp.", "TX.", "Tx.", "tx.", "TT.", "Q.", "q.", "P.", "p.", "H.", "X.", "Th.S.",
                 "ThS.", "TS.", "PGS.", "GS.", "BS.", "KS.", "CN.", "Ths.", "v.v.", "St.", "Mr.", "Mrs.", "Ms.",
                 "Dr.", "No.", "tr.", "Tr.", "Km.", "km.", "ĐT.", "QL.", "TL.", "Đ/c.", "TS.BS.", "BS.CKI.",
                 "BS.CKII.", "ThS.BS.", "PGS.TS.BS.", "GS.TSKH.", "TSKH.", "NSND.", "NSƯT.", "NGƯT.", "NGND."}
_INITIAL = re.compile(r"^[A-ZĐ]\.$")
_DOTTED_TITLES = re.compile(r"^(?:[A-ZĐ][A-Za-zĐđ]{0,4}\.){2,}$")


def _last_token(text: str) -> str:
    match = re.search(r"\S+$", text)
    return match.group(0).lstrip(_OPENERS) if match else ""


def _ends_sentence(ending: str, protected: set[str]) -> bool:
    """Whether text that ends in terminal punctuation really ends its sentence there."""
    stripped = ending.rstrip().rstrip("\"”’»)]")
    if stripped.endswith(("…", "...")):
        # An ellipsis closing a list ("Hà Nội, Huế… Đà Nẵng") goes on; after a clause it ends the sentence.
        return "," not in " ".join(stripped.split()[-3:])
    if not stripped.endswith("."):
        return True
    token = _last_token(stripped)
    if token in protected or _INITIAL.match(token) or _DOTTED_TITLES.match(token):
        return False
    return True


def split_sentences(text: str, abbreviations: Lexicon | None = None) -> list[str]:
    """Sentences of text in order (a line break always ends one); numbers, titles and initials stay whole."""
    table = abbreviations if abbreviations is not None else load_lexicon()
    protected = _NON_TERMINAL | {key for key in table.general if key.endswith(".")}
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _CANDIDATE.finditer(line):
            following = line[match.end():].lstrip(_OPENERS)
            if not following or not (following[0].isupper() or following[0].isdigit()):
                continue
            if not _ends_sentence(line[start:match.end()], protected):
                continue
            sentences.append(line[start:match.end()].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [sentence for sentence in (" ".join(s.split()) for s in sentences) if sentence]
