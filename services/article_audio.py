"""An article's audio: its spoken segments, their version, generating ahead of time and what prune keeps."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from extensions import db
from models import Article
from services.article_text import spoken_segments
from services.articles import published_articles
from services.speech import Narrator, NothingToSpeak, SpeechError, audio_key, narrator_for
from services.vietnamese import Abbreviations, load_abbreviations


def narrator_for_app(app) -> Narrator:
    """The app's narrator, made once per process so its threads share locks and Google's circuit breaker."""
    narrator = app.extensions.get("docbai.narrator")
    if narrator is None:
        narrator = app.extensions["docbai.narrator"] = narrator_for(
            app.config["TTS_ENGINE"], app.config["AUDIO_CACHE_DIR"]
        )
    return narrator


@lru_cache(maxsize=512)
def _segments(content_hash: str, title: str, body_html: str, abbreviations: Abbreviations) -> tuple[str, ...]:
    # Keyed by the content hash and the abbreviation table in force, so an edited article, or an
    # editor's new abbreviation, is spoken anew.
    return tuple(spoken_segments(title, body_html, abbreviations))


def article_segments(article: Article) -> tuple[str, ...]:
    """What is said for an article: its title (segment 0), then its body blocks (data-seg 1, 2, …)."""
    return _segments(article.content_hash, article.title or "", article.body_html or "", load_abbreviations())


def audio_version(segments: Iterable[str]) -> str:
    """A short fingerprint of the spoken text, put in audio URLs so an edit is never served from a stale cache."""
    return audio_key(*segments)[:16]


@dataclass
class PrewarmReport:
    made: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (slug, reason)


def latest_published_articles(count: int) -> list[Article]:
    """The latest `count` published articles, newest first."""
    return list(db.session.execute(published_articles().limit(count)).scalars())


def prewarm_articles(
    narrator: Narrator, articles: Iterable[Article], progress: Callable[[int], None] = lambda done: None
) -> PrewarmReport:
    """Make each article's whole audio (and so every segment) now, so its first listener does not wait."""
    report = PrewarmReport()
    for article in articles:
        try:
            narrator.article_audio(article_segments(article))
            report.made += 1
        except (SpeechError, NothingToSpeak, TimeoutError) as error:
            report.failed.append((article.slug, str(error)))
        progress(1)
    return report


def audio_keys_in_use(narrator: Narrator) -> set[str]:
    """Cache keys of every article's audio, by any configured engine; drafts and scheduled articles included."""
    keys: set[str] = set()
    statement = select(Article).execution_options(yield_per=200)
    for article in db.session.execute(statement).scalars():
        keys |= narrator.keys_for(article_segments(article))
    return keys
