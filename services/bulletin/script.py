"""What a bulletin says, in order: the opening with the date as a newsreader says it, each article as its summary,
its first paragraphs or whole (the same sentences, so the same cached audio, as Đọc bài), a short transition
before each, and the closing. Plain values in, plain values out: no database, no engine."""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

from services.speech.engines import is_speakable
from services.speech.spoken_text import SpokenSentence, spoken_sentences
from services.vietnamese import Lexicon, date_to_words, ordinal_to_words, split_sentences, spoken_form

SUMMARY, LEAD, WHOLE = "summary", "lead", "whole"
READINGS = (SUMMARY, LEAD, WHOLE)
# What an editor reads beside each choice.
READING_LABELS = {SUMMARY: "Tóm tắt", LEAD: "Mấy đoạn đầu", WHOLE: "Cả bài"}
# "First paragraphs": the title and this many blocks of the body (a lead paragraph and the one after it is how
# a loudspeaker bulletin retells a news item).
LEAD_BLOCKS = 2

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def spoken_date(day: dt.date) -> str:
    """The date as a newsreader says it: "thứ Hai, ngày mùng bảy tháng mười hai năm hai nghìn không trăm hai
    mươi sáu" (days one to ten take "mùng")."""
    words = date_to_words(day.day, day.month, day.year, day_word="mùng") if day.day <= 10 else date_to_words(
        day.day, day.month, day.year
    )
    if day.day <= 10:
        words = "ngày " + words
    return f"{WEEKDAYS[day.weekday()]}, {words}"


def transition(number: int, count: int) -> str:
    """What is said before item number (from 1) of count: "Tin thứ nhất.", …, "Tin cuối cùng." for the last of
    several."""
    if count > 1 and number == count:
        return "Tin cuối cùng."
    return f"Tin thứ {ordinal_to_words(number)}."


def filled_wording(template: str, station: str, place: str, day: dt.date) -> str:
    """An opening or closing with the station, the place and the spoken date filled in."""
    return template.format(station=station, place=place, date=spoken_date(day))


def spoken_parts(text: str, lexicon: Lexicon | None) -> tuple[str, ...]:
    """Framing text as segments to voice: its sentences, each in its spoken form (the editors' lexicon applies)."""
    return tuple(
        spoken for sentence in split_sentences(" ".join(text.split()), lexicon)
        if is_speakable(spoken := spoken_form(sentence, lexicon))
    )


def reading_sentences(
    reading: str, sentences: Sequence[SpokenSentence], title: str, summary: str, lexicon: Lexicon | None
) -> tuple[str, ...]:
    """The segments an article is read as: its Đọc bài sentences (the title's, then the body's) whole or up to
    LEAD_BLOCKS blocks, or the title's and then those of its summary (its first paragraph when it has none)."""
    if reading == WHOLE:
        chosen = list(sentences)
    elif reading == LEAD or not summary.strip():
        chosen = [sentence for sentence in sentences if sentence.block <= (LEAD_BLOCKS if reading == LEAD else 1)]
    else:
        chosen = [sentence for sentence in sentences if sentence.block == 0]
        chosen += spoken_sentences("", f"<p>{html.escape(summary)}</p>", lexicon)
    return tuple(sentence.spoken for sentence in chosen if is_speakable(sentence.spoken))


@dataclass(frozen=True)
class ScriptItem:
    """One article as the bulletin says it: the chapter title, which article, how it is read, its segments."""

    article_id: int
    slug: str
    title: str
    reading: str
    segments: tuple[str, ...]
    transition: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    """Everything the bulletin says, in order, as segments to voice; the same script is the same file."""

    day: dt.date
    title: str  # the file's title tag and the feed's episode title
    opening: tuple[str, ...]
    items: tuple[ScriptItem, ...]
    closing: tuple[str, ...]

    def all_segments(self) -> list[str]:
        """Every segment in the order it is heard."""
        segments = list(self.opening)
        for item in self.items:
            segments += [*item.transition, *item.segments]
        return segments + list(self.closing)

    def fingerprint_parts(self) -> list[str]:
        """What the file depends on of the script, for its cache key."""
        parts = [self.day.isoformat(), self.title, "opening", *self.opening]
        for item in self.items:
            parts += ["item", str(item.article_id), item.title, *item.transition, "body", *item.segments]
        return parts + ["closing", *self.closing]

    def first_items(self, count: int) -> "Script":
        """The opening and the first count items alone, without the closing (an editor's quick hearing)."""
        return Script(self.day, self.title, self.opening, self.items[:count], ())


def bulletin_title(day: dt.date) -> str:
    """The title of a day's bulletin: "Bản tin ngày 07/12/2026"."""
    return f"Bản tin ngày {day:%d/%m/%Y}"
