"""The podcast's episodes: articles whose audio is already made, and making the missing audio ahead.

A feed request never waits for speech synthesis: it lists the articles whose MP3 is in the audio cache and
hands a few of the others (PREWARM_LIMIT, one run at a time) to a background prewarm, so an anonymous poll
cannot start bulk synthesis. Importing an article queues its audio anyway; the CLI
`flask tts prewarm --latest N` does the bulk work for an operator.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from extensions import db
from models import Article
from services.content.articles import published_articles
from services.infra.files import PrewarmReport
from services.speech.article_audio import ArticleSpeech, audio_duration_seconds
from services.speech.narrator import ArticleAudio

# Articles one podcast request may have voiced in the background.
PREWARM_LIMIT = 3


@dataclass(frozen=True)
class ReadyAudio:
    """An article whose whole MP3 is in the cache, with what a podcast enclosure says of it."""

    article: Article
    audio: ArticleAudio
    size_bytes: int
    duration_seconds: float


@lru_cache(maxsize=1024)
def _duration_seconds(path: str, size: int, modified_ns: int) -> float:
    # Keyed by size and modification time too: a file made again is measured again.
    return audio_duration_seconds(path)


def ready_audio(speech: ArticleSpeech, articles: Sequence[Article]) -> tuple[list[ReadyAudio], list[Article]]:
    """The articles split into those whose audio is ready (with its size and length) and those still without."""
    ready: list[ReadyAudio] = []
    missing: list[Article] = []
    for article in articles:
        audio = speech.cached_whole_audio(article)
        size = duration = None
        try:
            if audio is not None:
                statuses = [(str(path), path.stat()) for path in audio.paths]
                size = sum(status.st_size for _, status in statuses)
                duration = sum(_duration_seconds(path, status.st_size, status.st_mtime_ns) for path, status in statuses)
        except (OSError, ValueError):
            # Evicted between the lookup and the stat, or unreadable: made again like a missing one.
            duration = None
        if duration is None:
            missing.append(article)
        else:
            ready.append(ReadyAudio(article, audio, size, duration))
    return ready, missing


def prewarm_articles_by_id(speech: ArticleSpeech, article_ids: Sequence[int]) -> PrewarmReport:
    """Make the audio of the newest PREWARM_LIMIT of these articles, if still published; the podcast's
    background prewarm runs this."""
    statement = published_articles().where(Article.id.in_(list(article_ids))).limit(PREWARM_LIMIT)
    return speech.prewarm(db.session.execute(statement).scalars().all())
