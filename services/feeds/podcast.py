"""The podcast's episodes: articles whose audio is already made, and making the missing audio ahead.

A feed request never waits for speech synthesis: it lists the articles whose MP3 is in the audio cache and
queues the audio of a few of the others (PREWARM_LIMIT, as background jobs, each queued once), so an
anonymous poll cannot start bulk synthesis. Importing an article queues its audio anyway; the CLI
`flask tts prewarm --latest N` does the bulk work for an operator.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from models import Article
from services.speech.article_audio import ArticleSpeech, audio_duration_seconds
from services.speech.narrator import ArticleAudio

# Articles whose audio one podcast request may queue.
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
