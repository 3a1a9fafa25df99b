"""An article's audio: its spoken segments under the site's lexicon, their version, the cached MP3,
making it ahead of time, and which cached files are still in use."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

from models import Article
from services.files import PrewarmReport, cache_key
from services.speech.engines import NothingToSpeak, SpeechError
from services.speech.lexicon import EditorLexicon
from services.speech.narrator import CachedAudio, Narrator
from services.speech.spoken_text import spoken_segments
from services.vietnamese import Abbreviations


@lru_cache(maxsize=512)
def _segments(content_hash: str, title: str, body_html: str, table: Abbreviations) -> tuple[str, ...]:
    # Keyed by the content hash and the table in force (hashed by identity), so an edited article, or an
    # editor's new abbreviation, is spoken anew.
    return tuple(spoken_segments(title, body_html, table))


def audio_version(segments: Iterable[str]) -> str:
    """A short fingerprint of the spoken text, put in audio URLs so an edit is never served from a stale cache."""
    return cache_key(*segments)[:16]


def audio_duration_seconds(path: str | os.PathLike[str]) -> float:
    """Length in seconds of an MP3 file (for podcast feeds and the player); ValueError if unreadable."""
    try:
        return MP3(path).info.length
    except (MutagenError, OSError) as error:
        raise ValueError(f"not a readable MP3 file: {path}") from error


class ArticleSpeech:
    """Articles as speech for one site: what is said (title, then body blocks) and its cached audio."""

    def __init__(self, narrator: Narrator, lexicon: EditorLexicon):
        self.narrator = narrator
        self.lexicon = lexicon

    def segments(self, article: Article) -> tuple[str, ...]:
        """What is said for an article: its title (segment 0), then its body blocks (data-seg 1, 2, …)."""
        return _segments(article.content_hash, article.title or "", article.body_html or "", self.lexicon.table())

    def version(self, article: Article) -> str:
        """The version of the article's spoken text, for its audio URLs."""
        return audio_version(self.segments(article))

    def whole_audio(self, article: Article) -> CachedAudio:
        """The article's whole MP3, made now if no engine has made it yet."""
        return self.narrator.article_audio(self.segments(article))

    def cached_whole_audio(self, article: Article) -> Path | None:
        """The article's MP3 if the cache already holds it, in the narrator's order of engines; never synthesizes."""
        segments = self.segments(article)
        for engine in self.narrator.engines:
            path = self.narrator.cache.get(self.narrator.article_key(engine, segments))
            if path is not None:
                return path
        return None

    def prewarm(
        self, articles: Iterable[Article], progress: Callable[[int], None] = lambda done: None
    ) -> PrewarmReport:
        """Make each article's whole audio (and so every segment) now, so its first listener does not wait."""
        report = PrewarmReport()
        for article in articles:
            if self.cached_whole_audio(article) is not None:
                report.already += 1
            else:
                try:
                    self.whole_audio(article)
                    report.made += 1
                except (SpeechError, NothingToSpeak, TimeoutError) as error:
                    report.failed.append((article.slug, str(error)))
            progress(1)
        return report

    def keys_in_use(self, articles: Iterable[Article]) -> set[str]:
        """Cache keys of these articles' audio by any configured engine (what a prune keeps)."""
        keys: set[str] = set()
        for article in articles:
            keys |= self.narrator.keys_for(self.segments(article))
        return keys
