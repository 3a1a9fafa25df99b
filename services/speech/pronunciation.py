"""Kiểm tra cách đọc: an article's sentences with their spoken form, what the normalizer changed in each and why
(explain()), and what it is unsure of — capitals it does not know (spelled letter by letter), letters or digits
left, a slash or a dot whose reading it had to guess — so that an editor can hear it and fix it."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.speech.spoken_text import SpokenSentence
from services.vietnamese import Change, Lexicon, explain

# Kinds of doubt, and how the newsroom says them.
CAPITALS, FOREIGN, DIGITS, GUESSED = "capitals", "foreign", "digits", "guessed"
DOUBT_NAMES = {
    CAPITALS: "Chữ viết hoa chưa có trong từ điển: máy sẽ đánh vần từng chữ cái",
    FOREIGN: "Từ có chữ f, j, w hoặc z (từ nước ngoài?): máy có thể đọc sai",
    DIGITS: "Còn chữ số chưa được đọc thành chữ",
    GUESSED: "Dấu “/” hoặc dấu chấm được đoán nghĩa",
}
# Passes that read a slash or a dot one way among several (a date or a fraction, a decimal or thousands).
GUESSING_PASSES = frozenset({
    "short date or fraction", "dotted date", "decimal", "knockout round", "season", "rate per number", "rate",
    "brand with a dot", "month and year", "score",
})

_WORD = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")
_FOREIGN_LETTERS = re.compile(r"[fjwzFJWZ]")


@dataclass(frozen=True)
class Doubt:
    """One thing of a sentence the normalizer may read wrong: its kind, the text as written, what is said."""

    kind: str
    written: str
    spoken: str = ""

    @property
    def name(self) -> str:
        return DOUBT_NAMES[self.kind]

    @property
    def may_add(self) -> bool:
        """Whether a lexicon entry can fix it: a guessed number is read before the lexicon, so not that."""
        return self.kind != GUESSED


@dataclass(frozen=True)
class CheckedSentence:
    """A sentence as written and as spoken, the changes behind it, and its doubts."""

    index: int  # its place in the player's list (0 is the title)
    block: int
    text: str
    spoken: str
    changes: tuple[Change, ...]
    doubts: tuple[Doubt, ...]


def doubts_in(spoken: str, changes: Sequence[Change]) -> tuple[Doubt, ...]:
    """What of a spoken sentence is uncertain, each once, in order."""
    found: list[Doubt] = []
    for change in changes:
        if change.rule in GUESSING_PASSES and ("/" in change.original or "." in change.original):
            found.append(Doubt(GUESSED, change.original, change.spoken))
    for match in _WORD.finditer(spoken):
        word = match.group(0)
        letters = [character for character in word if character.isalpha()]
        if any(character.isdigit() for character in word):
            found.append(Doubt(DIGITS, word))
        elif len(letters) >= 2 and all(character.isupper() for character in letters):
            found.append(Doubt(CAPITALS, word))
        elif _FOREIGN_LETTERS.search(word):
            found.append(Doubt(FOREIGN, word))
    unique = {}
    for doubt in found:
        unique.setdefault((doubt.kind, doubt.written), doubt)
    return tuple(unique.values())


def check_sentences(sentences: Sequence[SpokenSentence], table: Lexicon) -> list[CheckedSentence]:
    """Each sentence checked under the lexicon in force."""
    checked = []
    for index, sentence in enumerate(sentences):
        changes = tuple(explain(sentence.text, table))
        checked.append(CheckedSentence(index, sentence.block, sentence.text, sentence.spoken, changes,
                                       doubts_in(sentence.spoken, changes)))
    return checked


# The normalizer's passes (services/vietnamese/normalize.py), named for editors.
RULE_NAMES = {
    "web address": "địa chỉ web", "brand with a dot": "tên có dấu chấm", "sign between numbers": "dấu giữa hai số",
    "comparison": "so sánh", "document number read once": "số hiệu văn bản (đọc một lần)",
    "document number": "số hiệu văn bản", "licence plate": "biển số xe", "road": "tên đường, quốc lộ",
    "emergency number": "số khẩn cấp", "phone number": "số điện thoại", "short code": "đầu số tin nhắn",
    "arithmetic sign": "dấu phép tính", "race time": "thành tích thời gian", "knockout round": "vòng đấu",
    "half": "hiệp", "season": "mùa giải", "date": "ngày tháng", "dotted date": "ngày viết bằng dấu chấm",
    "month and year": "tháng năm", "score": "tỉ số", "date with dash": "ngày có gạch nối",
    "range or sign": "khoảng hoặc dấu", "rate per number": "tỉ lệ trên số", "rate": "tỉ lệ, đơn vị trên",
    "clock time": "giờ", "short date or fraction": "ngày hoặc phân số", "Roman numeral": "số La Mã",
    "ordinal or month": "số thứ tự, tháng", "decimal": "số thập phân", "number": "số", "unit": "đơn vị đo",
    "abbreviation defined": "chữ viết tắt được giải nghĩa trong bài", "digits": "chữ số còn lại",
    "numeric character": "ký tự số", "symbol": "ký hiệu",
}


def rule_name(rule: str) -> str:
    """The Vietnamese name of a rule as explain() gives it ("abbreviation UBND" is a lexicon entry)."""
    for prefix in ("abbreviation ", "lexicon "):
        if rule.startswith(prefix):
            return "từ điển: " + rule[len(prefix):]
    return "quy tắc: " + RULE_NAMES.get(rule, rule)


def lexicon_key(rule: str) -> str | None:
    """The written form of the lexicon entry behind a change, or None for a rule of the normalizer."""
    for prefix in ("abbreviation ", "lexicon "):
        if rule.startswith(prefix):
            return rule[len(prefix):].split(" (")[0]
    return None
