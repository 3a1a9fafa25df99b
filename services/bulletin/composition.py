"""Which articles a day's bulletin reads and how, by the daily rule or by an editor, and making its audio.

The daily rule, for the bulletin of day D made at BULLETIN_TIME (T, in the site's time zone):

1. It reads the articles published in the 24 hours before T on day D (and not later than now), so every article
   is in exactly one daily bulletin whatever the hour.
2. Items an editor pinned come first, in their order, read as the editor chose.
3. Then those articles newest first: each is read as its first paragraphs (the title and two paragraphs) if the
   bulletin's estimated length stays within BULLETIN_MINUTES, else as its summary if that fits, else left out;
   at most MAX_ITEMS items.
4. Then, in order, an item read as its first paragraphs is read whole while the estimate still fits.

The estimate adds each segment's real length where it is already voiced, and its words at the pace of the voiced
ones where not (WORDS_PER_SECOND until enough are measured), to the pauses and jingles. Once an editor changes a bulletin (composed_by "editor"), the rule no longer
picks its items. Nothing here commits: the caller (a view, a command, a job) commits the session.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Article, Bulletin, BulletinItem, utc_now
from services.bulletin import audio as bulletin_audio
from services.bulletin import sound
from services.bulletin.audio import BulletinAudio, MadeBulletin
from services.bulletin.script import (
    LEAD, READINGS, SUMMARY, WHOLE, Script, ScriptItem, bulletin_title, filled_wording, reading_sentences,
    spoken_parts, transition,
)
from services.content.articles import published_articles
from services.speech.article_audio import ArticleSpeech

RULE, EDITOR = "rule", "editor"
DRAFT, PUBLISHED = "draft", "published"
MAX_ITEMS = 12  # also what the notice-board print fits on one A4 page (services/bulletin/notice.py)
LOOKBACK = dt.timedelta(hours=24)
# The pace a segment not voiced yet is estimated at (one Vietnamese word is one syllable): between Google's voice
# (about 3.3 a second) and espeak-ng's (about 4), until this process has seen PACE_SAMPLE_WORDS of voiced
# segments, whose own pace is used from then on.
WORDS_PER_SECOND = 3.5
PACE_SAMPLE_WORDS = 200
SENTENCE_SECONDS = 0.3  # what each voiced segment adds at its ends


class BulletinError(ValueError):
    """An editor's change that cannot be made (an unknown item, a reading that does not exist, …)."""


@dataclass(frozen=True)
class BulletinSettings:
    """The site's wording and schedule for bulletins (from settings.py's BULLETIN_*)."""

    station: str
    place: str
    opening: str
    closing: str
    zone: ZoneInfo
    time: dt.time
    minutes: int
    auto_publish: bool = True

    @property
    def target_seconds(self) -> float:
        return self.minutes * 60.0


@lru_cache(maxsize=4096)
def _mp3_seconds(path: str, size: int, modified_ns: int) -> float:
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        return MP3(path).info.length
    except (MutagenError, OSError):
        return 0.0


class BulletinDesk:
    """Composing, hearing and publishing bulletins: the service an editor's screen, the command line and the
    daily job all call. Every method takes and returns models; the caller commits."""

    def __init__(self, speech: ArticleSpeech, audio: BulletinAudio, settings: BulletinSettings):
        self.speech = speech
        self.audio = audio
        self.settings = settings
        # Words and seconds of the voiced segments measured so far (a rough pace: races between threads only
        # lose a sample).
        self._voiced_words = 0
        self._voiced_seconds = 0.0

    # Reading

    def bulletin(self, day: dt.date) -> Bulletin | None:
        """The bulletin of a day, with its items and their articles, or None."""
        statement = select(Bulletin).where(Bulletin.day == day).options(
            selectinload(Bulletin.items).selectinload(BulletinItem.article)
        )
        return db.session.execute(statement).scalar_one_or_none()

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The publication times (UTC) whose articles the day's bulletin reads: the 24 hours before its time."""
        end = dt.datetime.combine(day, self.settings.time, tzinfo=self.settings.zone).astimezone(dt.timezone.utc)
        return end - LOOKBACK, end

    def candidates(self, day: dt.date) -> list[Article]:
        """The day's published articles, newest first (rule 1)."""
        start, end = self.window(day)
        statement = published_articles().where(Article.published_at > start, Article.published_at <= end)
        return list(db.session.execute(statement).scalars())

    def script(self, bulletin: Bulletin) -> Script:
        """What the bulletin says, in order, as segments to voice."""
        table = self.speech.lexicon.table()
        settings = self.settings
        items = [item for item in bulletin.items]
        script_items = []
        for number, item in enumerate(items, start=1):
            article = item.article
            segments = reading_sentences(item.reading, self.speech.sentences(article), article.title,
                                         article.summary or "", table)
            script_items.append(ScriptItem(article.id, article.slug, article.title, item.reading, segments,
                                           spoken_parts(transition(number, len(items)), table)))
        opening = filled_wording(bulletin.opening or settings.opening, settings.station, settings.place, bulletin.day)
        closing = filled_wording(settings.closing, settings.station, settings.place, bulletin.day)
        return Script(bulletin.day, bulletin_title(bulletin.day), spoken_parts(opening, table), tuple(script_items),
                      spoken_parts(closing, table))

    def opening_text(self, bulletin: Bulletin) -> str:
        """The opening as it will be said (the editor's or the site's wording, filled in), for an editor to edit."""
        settings = self.settings
        return filled_wording(bulletin.opening or settings.opening, settings.station, settings.place, bulletin.day)

    def segment_seconds(self, segments: Sequence[str]) -> float:
        """The length of voiced segments: measured where already made, estimated from their words where not (at
        the pace of the segments measured so far, once there are enough of them)."""
        total, unvoiced_words, unvoiced = 0.0, 0, 0
        for text in segments:
            cached = self.speech.narrator.cached_segment(text)
            if cached is not None:
                status = cached.path.stat()
                seconds = _mp3_seconds(str(cached.path), status.st_size, status.st_mtime_ns)
                total += seconds
                self._voiced_words += len(text.split())
                self._voiced_seconds += max(0.0, seconds - SENTENCE_SECONDS)
            else:
                unvoiced_words += len(text.split())
                unvoiced += 1
        return total + unvoiced_words * self.seconds_per_word() + unvoiced * SENTENCE_SECONDS

    def seconds_per_word(self) -> float:
        """The pace a segment not voiced yet is estimated at."""
        if self._voiced_words >= PACE_SAMPLE_WORDS and self._voiced_seconds > 0:
            return self._voiced_seconds / self._voiced_words
        return 1 / WORDS_PER_SECOND

    def estimate_seconds(self, bulletin: Bulletin) -> float:
        """The bulletin's estimated length in seconds, as it is composed now."""
        return self._estimate(self.script(bulletin))

    def item_seconds(self, article: Article, reading: str) -> float:
        """An article's estimated length read one way (without its transition and pauses)."""
        table = self.speech.lexicon.table()
        return self.segment_seconds(reading_sentences(reading, self.speech.sentences(article), article.title,
                                                      article.summary or "", table))

    def _estimate(self, script: Script) -> float:
        jingles = self.audio.jingles()
        jingle_seconds = {name: _audio_seconds(path) for name, path in jingles.items()}
        pauses = bulletin_audio.LEAD_IN + bulletin_audio.TAIL + bulletin_audio.BEFORE_CLOSING
        pauses += jingle_seconds.get("opening", 0.0) + jingle_seconds.get("closing", 0.0)
        between = (2 * bulletin_audio.AFTER_JINGLE + jingle_seconds["between"]) if "between" in jingles \
            else bulletin_audio.BETWEEN_ITEMS
        total = pauses + self.segment_seconds(script.opening) + self.segment_seconds(script.closing)
        for item in script.items:
            total += between + bulletin_audio.AFTER_TRANSITION
            total += self.segment_seconds(item.transition) + self.segment_seconds(item.segments)
        return total

    # The daily rule

    def compose_by_rule(self, day: dt.date, publish: bool = True) -> Bulletin | None:
        """The day's bulletin with the items the rule picks (a bulletin an editor composed keeps its own), created
        if missing; None when there is nothing to read. Published when made by the rule if the site says so and
        publish allows it (an editor handing a bulletin back sees the rule's pick without publishing it)."""
        bulletin = self.bulletin(day)
        new = bulletin is None
        if new:
            # Added to the session only once it has items: a day without articles leaves no row behind.
            bulletin = Bulletin(day=day, status=DRAFT, composed_by=RULE)
        if bulletin.composed_by == RULE:
            pinned = [(item.article, item.reading) for item in bulletin.items if item.pinned]
            pinned_ids = {article.id for article, _ in pinned}
            others = [article for article in self.candidates(day) if article.id not in pinned_ids]
            chosen = self.fit(pinned, others)
            if new and not chosen:
                return None
            if new:
                db.session.add(bulletin)
            self._set_items(bulletin, chosen, pinned=len(pinned))
        if not bulletin.items:
            return None
        if publish and bulletin.composed_by == RULE and self.settings.auto_publish and bulletin.status == DRAFT:
            self.publish(bulletin)
        db.session.flush()
        return bulletin

    def fit(self, fixed: Sequence[tuple[Article, str]], articles: Sequence[Article],
            keep_all: bool = False) -> list[tuple[Article, str]]:
        """Rules 2 to 4: the fixed items as they are, then each article as its first paragraphs or its summary
        while the estimate fits (with keep_all, every article, as its summary if nothing fits), then first
        paragraphs made whole while it still fits."""
        settings = self.settings
        framing = self._estimate(Script(dt.date.today(), "", spoken_parts(
            filled_wording(settings.opening, settings.station, settings.place, dt.date.today()), None), (),
            spoken_parts(filled_wording(settings.closing, settings.station, settings.place, dt.date.today()), None)))
        per_item = bulletin_audio.BETWEEN_ITEMS + bulletin_audio.AFTER_TRANSITION + self.segment_seconds(["Tin thứ hai."])
        chosen = list(fixed)
        total = framing + sum(per_item + self.item_seconds(article, reading) for article, reading in chosen)
        for article in articles:
            if len(chosen) >= MAX_ITEMS:
                break
            for reading in (LEAD, SUMMARY):
                seconds = per_item + self.item_seconds(article, reading)
                if total + seconds <= settings.target_seconds or (keep_all and reading == SUMMARY):
                    chosen.append((article, reading))
                    total += seconds
                    break
        for index in range(len(fixed), len(chosen)):
            article, reading = chosen[index]
            if reading != LEAD:
                continue
            extra = self.item_seconds(article, WHOLE) - self.item_seconds(article, LEAD)
            if total + extra <= settings.target_seconds:
                chosen[index] = (article, WHOLE)
                total += extra
        return chosen

    def _set_items(self, bulletin: Bulletin, chosen: Sequence[tuple[Article, str]], pinned: int = 0) -> None:
        wanted = [(article.id, reading, index < pinned) for index, (article, reading) in enumerate(chosen)]
        if [(item.article_id, item.reading, item.pinned) for item in bulletin.items] == wanted:
            return  # the same bulletin: nothing changes, nothing is bumped
        bulletin.items.clear()
        db.session.flush()
        for position, (article, reading) in enumerate(chosen):
            bulletin.items.append(BulletinItem(article=article, reading=reading, position=position,
                                               pinned=position < pinned))

    # An editor's changes (each marks the bulletin as the editor's: the rule leaves it alone after)

    def draft(self, day: dt.date) -> Bulletin:
        """The day's bulletin to work on: the one there is, or a new one with what the rule would pick."""
        bulletin = self.bulletin(day)
        if bulletin is not None:
            return bulletin
        bulletin = Bulletin(day=day, status=DRAFT, composed_by=RULE)
        db.session.add(bulletin)
        self._set_items(bulletin, self.fit([], self.candidates(day)))
        db.session.flush()
        return bulletin

    def compose(self, day: dt.date, articles: Sequence[Article], readings: dict[int, str] | None = None) -> Bulletin:
        """The day's bulletin made of exactly these articles in this order (the command line's --articles): each
        read as given in readings (by article id) or as the rule would fit it, every one kept."""
        readings = readings or {}
        if len(articles) > MAX_ITEMS:
            raise BulletinError(f"Một bản tin có nhiều nhất {MAX_ITEMS} tin (bảng tin in trên một trang A4).")
        for reading in readings.values():
            _check_reading(reading)
        bulletin = self.draft(day)
        fixed = [(article, readings[article.id]) for article in articles if article.id in readings]
        fitted = dict((article.id, reading) for article, reading in self.fit(
            fixed, [article for article in articles if article.id not in readings], keep_all=True))
        self._set_items(bulletin, [(article, fitted[article.id]) for article in articles])
        self._edited(bulletin)
        return bulletin

    def add_item(self, bulletin: Bulletin, article: Article, reading: str | None = None,
                 position: int | None = None) -> BulletinItem:
        """Add an article (once) at position (the end by default), read as given or as its first paragraphs."""
        reading = _check_reading(reading or LEAD)
        if any(item.article_id == article.id for item in bulletin.items):
            raise BulletinError("Bài này đã có trong bản tin.")
        if len(bulletin.items) >= MAX_ITEMS:
            raise BulletinError(f"Bản tin đã đủ {MAX_ITEMS} tin (bảng tin in trên một trang A4).")
        items = list(bulletin.items)
        position = len(items) if position is None else max(0, min(position, len(items)))
        item = BulletinItem(article=article, reading=reading)
        items.insert(position, item)
        bulletin.items.append(item)
        self._renumber(bulletin, items)
        self._edited(bulletin)
        return item

    def remove_item(self, bulletin: Bulletin, item_id: int) -> None:
        """Take an item out of the bulletin."""
        item = self._item(bulletin, item_id)
        bulletin.items.remove(item)
        self._renumber(bulletin, [other for other in bulletin.items if other is not item])
        self._edited(bulletin)

    def move_item(self, bulletin: Bulletin, item_id: int, position: int) -> None:
        """Put an item at position (from 0), the others keeping their order."""
        item = self._item(bulletin, item_id)
        items = [other for other in bulletin.items if other is not item]
        items.insert(max(0, min(position, len(items))), item)
        self._renumber(bulletin, items)
        self._edited(bulletin)

    def reorder(self, bulletin: Bulletin, item_ids: Sequence[int]) -> None:
        """Put the items in this order (every item of the bulletin, once)."""
        by_id = {item.id: item for item in bulletin.items}
        if sorted(item_ids) != sorted(by_id):
            raise BulletinError("Thứ tự mới phải có đủ các tin của bản tin, mỗi tin một lần.")
        self._renumber(bulletin, [by_id[item_id] for item_id in item_ids])
        self._edited(bulletin)

    def set_reading(self, bulletin: Bulletin, item_id: int, reading: str) -> None:
        """Read an item as its summary, its first paragraphs or whole."""
        self._item(bulletin, item_id).reading = _check_reading(reading)
        self._edited(bulletin)

    def set_pinned(self, bulletin: Bulletin, item_id: int, pinned: bool) -> None:
        """Pin an item (the rule keeps it first) or unpin it; the rule still picks the rest."""
        self._item(bulletin, item_id).pinned = pinned

    def set_opening(self, bulletin: Bulletin, text: str | None) -> None:
        """The editor's own opening ({station}, {place} and {date} are filled in), or None for the site's."""
        if text is not None:
            from settings import bulletin_wording

            try:
                text = bulletin_wording(text) or None
            except ValueError as error:
                raise BulletinError(str(error)) from None
        bulletin.opening = text
        self._edited(bulletin)

    def hand_back_to_rule(self, bulletin: Bulletin) -> None:
        """Let the daily rule pick the items again (its pinned items stay first) at its next composing."""
        bulletin.composed_by = RULE

    def publish(self, bulletin: Bulletin) -> None:
        """Make the bulletin public (its page, feed and the loudspeakers' address, once its audio is made)."""
        if not bulletin.items:
            raise BulletinError("Bản tin chưa có tin nào.")
        if bulletin.status != PUBLISHED:
            bulletin.status = PUBLISHED
            bulletin.published_at = utc_now()

    def unpublish(self, bulletin: Bulletin) -> None:
        """Take the bulletin back to a draft: off the page, the feed and the loudspeakers (and out of the rule's
        hands, which would publish it again)."""
        bulletin.status = DRAFT
        self._edited(bulletin)

    # Hearing and making

    def make(self, bulletin: Bulletin) -> MadeBulletin:
        """Make the bulletin's audio as it is composed now (or find it made) and record it on the bulletin:
        its key, size, length, engine and each item's start. The same composition gives the same file."""
        made = self.audio.make(self.script(bulletin))
        self.record(bulletin, made)
        return made

    def preview(self, bulletin: Bulletin, items: int = 1) -> MadeBulletin:
        """The opening and the first items alone, made now, so an editor hears the bulletin start at once."""
        return self.audio.make(self.script(bulletin).first_items(items))

    def is_current(self, bulletin: Bulletin) -> bool:
        """Whether the bulletin's recorded audio is what its composition and articles say now."""
        return bulletin.audio_key is not None and bulletin.audio_key == self.audio.key(self.script(bulletin))

    def record(self, bulletin: Bulletin, made: MadeBulletin) -> None:
        """Write what was made onto the bulletin (nothing changes when it is the file already recorded)."""
        starts = [chapter.start for chapter in made.chapters]
        if bulletin.audio_key == made.key and [item.start_seconds for item in bulletin.items] == starts:
            return
        bulletin.audio_key = made.key
        bulletin.audio_bytes = made.size_bytes
        bulletin.duration_seconds = made.duration_seconds
        bulletin.engine = made.engine
        bulletin.made_at = utc_now()
        for item, start in zip(bulletin.items, starts):
            item.start_seconds = start

    # Helpers

    def _item(self, bulletin: Bulletin, item_id: int) -> BulletinItem:
        for item in bulletin.items:
            if item.id == item_id:
                return item
        raise BulletinError("Không có tin này trong bản tin.")

    @staticmethod
    def _renumber(bulletin: Bulletin, items: Sequence[BulletinItem]) -> None:
        for position, item in enumerate(items):
            item.position = position
        bulletin.items.sort(key=lambda item: item.position)

    @staticmethod
    def _edited(bulletin: Bulletin) -> None:
        bulletin.composed_by = EDITOR


def _check_reading(reading: str) -> str:
    if reading not in READINGS:
        raise BulletinError(f"Cách đọc phải là một trong {', '.join(READINGS)}.")
    return reading


@lru_cache(maxsize=16)
def _jingle_seconds(path: str, size: int, modified_ns: int) -> float:
    try:
        return sound.seconds_of(sound.decode(path))
    except sound.UnreadableAudio:
        return 0.0


def _audio_seconds(path) -> float:
    status = path.stat()
    return _jingle_seconds(str(path), status.st_size, status.st_mtime_ns)
