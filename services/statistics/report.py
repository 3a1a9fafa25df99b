"""The statistics read back for the newsroom: the articles most read, listened to and printed in a period, an
article's counts day by day, and its listener curve (how many plays reached each sentence) with the sentences
after which many listeners stopped."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from extensions import db
from models import Article, ArticleDayCount, SentenceDayCount
from services.statistics.counting import EVENTS

# A period longer than this is refused: a year of days is what a chart and its table can show.
LONGEST_PERIOD_DAYS = 366
# A drop is sharp when at least this share of the listeners of a sentence did not reach the next one...
SHARP_DROP_SHARE = 0.2
# ...and at least this many of them: with a handful of listeners one who stops is no sign.
SHARP_DROP_LISTENERS = 3


@dataclass(frozen=True)
class RankedArticle:
    """An article in a ranking: its id, title, slug and its count in the period."""

    id: int
    title: str
    slug: str
    total: int


@dataclass(frozen=True)
class Day:
    """One day of a series: the day and each event's count (every one of EVENTS, 0 when nothing happened)."""

    day: dt.date
    counts: dict[str, int]


@dataclass(frozen=True)
class SentencePoint:
    """One sentence of the listener curve: its index, how many plays reached it, and whether many of those
    stopped before the next one (a sharp drop after it)."""

    sentence: int
    listeners: int
    drop_after: int
    sharp: bool


def ranking(event: str, start: dt.date, end: dt.date, limit: int) -> list[RankedArticle]:
    """The `limit` articles with the most `event` from start to end (both included), most first."""
    total = func.sum(ArticleDayCount.count).label("total")
    rows = db.session.execute(
        select(Article.id, Article.title, Article.slug, total)
        .join(ArticleDayCount, ArticleDayCount.article_id == Article.id)
        .where(ArticleDayCount.event == event, ArticleDayCount.day.between(start, end), Article.deleted_at.is_(None))
        .group_by(Article.id, Article.title, Article.slug)
        .having(total > 0)
        .order_by(total.desc(), Article.title, Article.id)
        .limit(limit)
    )
    return [RankedArticle(row.id, row.title, row.slug, int(row.total)) for row in rows]


def daily_series(start: dt.date, end: dt.date, article_id: int | None = None) -> list[Day]:
    """Every day from start to end with each event's count, of one article or of the whole site."""
    statement = (
        select(ArticleDayCount.day, ArticleDayCount.event, func.sum(ArticleDayCount.count))
        .where(ArticleDayCount.day.between(start, end))
        .group_by(ArticleDayCount.day, ArticleDayCount.event)
    )
    if article_id is not None:
        statement = statement.where(ArticleDayCount.article_id == article_id)
    found = {(day, event): int(count) for day, event, count in db.session.execute(statement)}
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    return [Day(day, {event: found.get((day, event), 0) for event in EVENTS}) for day in days]


def totals(series: list[Day]) -> dict[str, int]:
    """Each event's count over the whole series."""
    return {event: sum(day.counts[event] for day in series) for event in EVENTS}


def listener_counts(article_id: int, start: dt.date, end: dt.date) -> dict[int, int]:
    """{sentence index: plays that reached it} for the article from start to end."""
    rows = db.session.execute(
        select(SentenceDayCount.sentence, func.sum(SentenceDayCount.listeners))
        .where(SentenceDayCount.article_id == article_id, SentenceDayCount.day.between(start, end))
        .group_by(SentenceDayCount.sentence)
    )
    return {int(sentence): int(listeners) for sentence, listeners in rows}


def listener_curve(counts: dict[int, int], sentences: list[int]) -> list[SentencePoint]:
    """The curve over the article's sentences that are heard (their indices, in reading order: a sentence with
    nothing to say is never played, so it is left out rather than shown as a drop), each with the listeners lost
    before the next one and whether that is sharp. Counts of indices not listed (an older version of the text)
    are left out. The last sentence is never a drop: there the listeners have heard it all."""
    listeners = [counts.get(index, 0) for index in sentences]
    points = []
    for position, (index, here) in enumerate(zip(sentences, listeners)):
        lost = max(0, here - listeners[position + 1]) if position + 1 < len(sentences) else 0
        sharp = lost >= SHARP_DROP_LISTENERS and lost >= SHARP_DROP_SHARE * here
        points.append(SentencePoint(index, here, lost, sharp))
    return points
