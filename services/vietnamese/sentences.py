"""Splitting a paragraph into sentences for speech, without breaking "TP. Hà Nội" or "3.5"."""
from __future__ import annotations

import re

from services.vietnamese.abbreviations import Abbreviations, load_abbreviations

# A candidate boundary: terminal punctuation, any closing quotes or brackets, then whitespace.
_CANDIDATE = re.compile(r"[.!?…]+[\"”’»)\]]*\s+")
_OPENERS = "\"“‘«([-–—"
# Dotted short forms that never end a sentence, beyond the dotted keys of the abbreviation table.
_NON_TERMINAL = {"TP.", "Tp.", "TX.", "TT.", "Q.", "P.", "H.", "ThS.", "TS.", "PGS.", "GS.", "BS.", "KS.",
                 "Th.S.", "v.v.", "St.", "Mr.", "Ms.", "Dr.", "No.", "tr."}


def _last_token(text: str) -> str:
    match = re.search(r"\S+$", text)
    return match.group(0) if match else ""


def split_sentences(text: str, abbreviations: Abbreviations | None = None) -> list[str]:
    """Sentences of text in order (line breaks always end one); decimals and dotted abbreviations stay whole."""
    table = abbreviations if abbreviations is not None else load_abbreviations()
    protected = _NON_TERMINAL | {key for key in table.general if key.endswith(".")}
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _CANDIDATE.finditer(line):
            following = line[match.end():].lstrip(_OPENERS)
            if not following or not (following[0].isupper() or following[0].isdigit()):
                continue
            ending = line[start:match.end()].rstrip()
            if ending.endswith(".") and _last_token(ending) in protected:
                continue
            sentences.append(ending.strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [sentence for sentence in (" ".join(s.split()) for s in sentences) if sentence]
