"""Counting what readers and listeners do with an article, per day, without a commit per event: the same
buffers as the view counter (services.content.views: this process's memory, or a Redis hash every process and
host shares, each batch taken from Redis written at most once by its token), keyed by article, day, event and
sentence, and written by one upsert per key every VIEW_FLUSH_SECONDS.

Nothing about the reader is kept: no cookie, no address, no identifier; a key says only which article, which day,
what happened, and for a heard sentence which one.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from redis.exceptions import RedisError
from sqlalchemy import select

from extensions import db
from models import Article, ArticleDayCount, SentenceDayCount
from services.content.articles import claim_batch, commit_batch
from services.content.views import BufferedViews, LocalAndShared, RedisViews

log = logging.getLogger(__name__)

VIEW, PLAY, END, MP3, PDF, HEARD = "view", "play", "end", "mp3", "pdf", "heard"
# What is counted per article and day; HEARD is counted per sentence (SentenceDayCount).
EVENTS = (VIEW, PLAY, END, MP3, PDF)
ROWS_PER_STATEMENT = 500

Writer = Callable[[Mapping[str, int], "str | None"], object]


class Tally(NamedTuple):
    """One counted thing: its article, its day, what happened, and the sentence for HEARD (else -1)."""

    article_id: int
    day: dt.date
    event: str
    sentence: int = -1

    def key(self) -> str:
        """The tally as the text the buffers keep (a Redis hash field)."""
        return f"{self.article_id}|{self.day.isoformat()}|{self.event}|{self.sentence}"

    @classmethod
    def from_key(cls, key: str) -> "Tally | None":
        """The tally a key names; None for a key this version does not know (it is dropped)."""
        try:
            article_id, day, event, sentence = key.split("|")
            tally = cls(int(article_id), dt.date.fromisoformat(day), event, int(sentence))
        except ValueError:
            return None
        if tally.event not in EVENTS and not (tally.event == HEARD and tally.sentence >= 0):
            return None
        return tally


class RedisTallies(RedisViews):
    """The tallies' Redis hash: RedisViews' flush (lock, RENAME, token), under keys of their own."""

    PENDING = "docbai:stats"
    TAKEN = "docbai:stats:taken"
    TOKEN = "docbai:stats:taken-token"
    FLUSH_LOCK = "docbai:stats:flush-lock"


class ArticleEvents(LocalAndShared):
    """The one owner of the statistics' counting: a tally counted (in Redis when there is one, else, or while
    Redis is away, in this process), and the buffers written to the database (flush, stop: LocalAndShared's)."""

    WHAT = "Statistics"
    LOG = log

    def __init__(self, write: Writer, interval: float = 1.0, redis=None, prefix: str = ""):
        self.local = BufferedViews(write, interval)
        self.shared = (
            RedisTallies(redis, write, interval, prefix, key_of=lambda field: field.decode("ascii"))
            if redis is not None else None
        )

    def count(self, article_id: int, day: dt.date, event: str) -> None:
        """One event of the article on that day (one of EVENTS)."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}")
        self._add([Tally(article_id, day, event).key()])

    def count_play(self, article_id: int, day: dt.date, started: bool, ended: bool, sentences: Iterable[int]) -> None:
        """What one play reported at once: whether it started, whether it reached the end, the sentences heard."""
        keys = [Tally(article_id, day, HEARD, sentence).key() for sentence in sorted(set(sentences))]
        if started:
            keys.append(Tally(article_id, day, PLAY).key())
        if ended:
            keys.append(Tally(article_id, day, END).key())
        if keys:
            self._add(keys)

    def _add(self, keys: list[str]) -> None:
        if self.shared is not None:
            try:
                self.shared.add_many(keys)
                return
            except RedisError as error:
                log.warning("Statistics kept in this process while Redis is away: %s", error)
        self.local.add_many(keys)

    def pending_total(self) -> int:
        """Tallies counted by this process and not yet written (Redis's are not asked)."""
        return self.local.pending_total()



def _upsert(table, keys: list[str], column: str, rows: list[dict]):
    """INSERT … ON CONFLICT DO UPDATE SET column = column + excluded.column, on SQLite and PostgreSQL alike
    (both dialects spell it the same way in SQLAlchemy, from different modules)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={column: getattr(table.c, column) + getattr(statement.excluded, column)}
    )


def add_tallies(counts: Mapping[str, int], batch_id: str | None = None) -> bool:
    """Add counted tallies ({Tally.key(): n}) in SQL, in one transaction; with batch_id (a batch taken from Redis)
    at most once: False when that batch was written already. Tallies of articles that are gone are dropped."""
    if not claim_batch(batch_id):
        return False
    tallies: Counter[Tally] = Counter()
    for key, n in counts.items():
        if (tally := Tally.from_key(key)) is not None and n > 0:
            tallies[tally] += n  # one row per key: PostgreSQL refuses to update a row twice in one statement
    wanted = sorted({tally.article_id for tally in tallies})
    existing = set(db.session.execute(select(Article.id).where(Article.id.in_(wanted))).scalars()) if wanted else set()
    events = [{"article_id": t.article_id, "day": t.day, "event": t.event, "count": n}
              for t, n in sorted(tallies.items()) if t.event != HEARD and t.article_id in existing]
    heard = [{"article_id": t.article_id, "day": t.day, "sentence": t.sentence, "listeners": n}
             for t, n in sorted(tallies.items()) if t.event == HEARD and t.article_id in existing]
    # In slices: SQLite takes a bounded number of values per statement.
    for start in range(0, len(events), ROWS_PER_STATEMENT):
        db.session.execute(_upsert(ArticleDayCount.__table__, ["article_id", "day", "event"], "count",
                                   events[start:start + ROWS_PER_STATEMENT]))
    for start in range(0, len(heard), ROWS_PER_STATEMENT):
        db.session.execute(_upsert(SentenceDayCount.__table__, ["article_id", "day", "sentence"], "listeners",
                                   heard[start:start + ROWS_PER_STATEMENT]))
    return commit_batch()
