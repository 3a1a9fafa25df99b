"""The podcast's episodes: articles whose audio is already made, and making the missing audio ahead.

A feed request never waits for speech synthesis: it lists the articles whose MP3 is in the audio cache and
hands the others to one background prewarm, so a podcast app's next poll finds them ready. The CLI
`flask tts prewarm --latest N` (run after an import, or from a timer) does the same work up front.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extensions import db
from models import Article
from services.articles import published_articles
from services.files import PrewarmReport
from services.speech.article_audio import ArticleSpeech, audio_duration_seconds


@dataclass(frozen=True)
class ReadyAudio:
    """An article whose whole MP3 is in the cache, with what a podcast enclosure says of it."""

    article: Article
    path: Path
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
        path = speech.cached_whole_audio(article)
        try:
            status = path.stat() if path is not None else None
            duration = _duration_seconds(str(path), status.st_size, status.st_mtime_ns) if status else None
        except (OSError, ValueError):
            # Pruned between the lookup and the stat, or unreadable: made again like a missing one.
            duration = None
        if duration is None:
            missing.append(article)
        else:
            ready.append(ReadyAudio(article, path, status.st_size, duration))
    return ready, missing


def prewarm_articles_by_id(speech: ArticleSpeech, article_ids: Sequence[int]) -> PrewarmReport:
    """Make the audio of these articles, if still published; the podcast's background prewarm runs this."""
    statement = published_articles().where(Article.id.in_(list(article_ids)))
    return speech.prewarm(db.session.execute(statement).scalars().all())
