"""An article's audio: its spoken segments (one per sentence) under the site's lexicon, their version, the cached MP3 (its
segment files, stored once) and each segment's Opus for the data saver, making them (remembering a failure for a
while), streaming the MP3 while it is made, and which cached files are still in use."""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from cachetools import LRUCache

from models import Article
from services.infra.files import PrewarmReport, RememberedFailure, cache_key
from services.speech.engines import NothingToSpeak, SpeechError, is_speakable
from services.speech.lexicon import EditorLexicon
from services.speech.narrator import ArticleAudio, CachedAudio, Narrator
from services.speech.spoken_text import SpokenSentence, spoken_sentences
from services.vietnamese import Lexicon


@dataclass(frozen=True)
class _SpokenArticle:
    sentences: tuple[SpokenSentence, ...]
    segments: tuple[str, ...]  # the sentences' spoken forms, what the engine is given
    version: str
    failure_key: str


@lru_cache(maxsize=128)
def _spoken(content_hash: str, title: str, body_html: str, table: Lexicon) -> _SpokenArticle:
    # Keyed by the content hash and the table in force (hashed by identity), so an edited article, or an
    # editor's new abbreviation, is spoken anew. The segments, version and failure key are derived here once
    # per text: every audio request needs them, a segment request (one per sentence played) several times.
    sentences = tuple(spoken_sentences(title, body_html, table))
    segments = tuple(sentence.spoken for sentence in sentences)
    return _SpokenArticle(
        sentences, segments, audio_version(sentences), cache_key("article-audio-failure", *segments)
    )


class _AudioVersions:
    """Every article page shows its audio version: kept for many more articles than their sentences are (a page of
    the long tail then skips the normalizer), a few bytes each, per table in force (an editor's new entry makes a
    new table; the old one's versions go with it)."""

    def __init__(self, per_table: int = 8192):
        self.per_table = per_table
        self._by_table: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()  # cachetools' caches are not thread-safe

    def version(self, content_hash: str, title: str, body_html: str, table: Lexicon) -> str:
        with self._guard:
            versions = self._by_table.setdefault(table, LRUCache(maxsize=self.per_table))
            version = versions.get(content_hash)
        if version is None:
            version = _spoken(content_hash, title, body_html, table).version
            with self._guard:
                versions[content_hash] = version
        return version


def audio_version(sentences: Iterable[SpokenSentence]) -> str:
    """A short fingerprint of the sentences, put in audio and segment-list URLs so an edit is never served from
    a stale cache: what is said, and also which block shows each sentence and how (an edit that only moves a
    paragraph break changes what the player highlights, though not a byte of audio)."""
    return cache_key(*(f"{sentence.block}\t{sentence.text}\t{sentence.spoken}" for sentence in sentences))[:16]


def audio_duration_seconds(path: str | os.PathLike[str]) -> float:
    """Length in seconds of an MP3 file (for podcast feeds and the player); ValueError if unreadable."""
    from mutagen import MutagenError  # with the feeds, not with every page (engines.py says why)
    from mutagen.mp3 import MP3

    try:
        return MP3(path).info.length
    except (MutagenError, OSError) as error:
        raise ValueError(f"not a readable MP3 file: {path}") from error


class IncompleteAudio(SpeechError):
    """A stream of audio being made could not go on to the end (a segment never came, or its making failed)."""


class ArticleSpeech:
    """Articles as speech for one site: what is said (title, then the body, sentence by sentence) and its
    cached audio."""

    def __init__(self, narrator: Narrator, lexicon: EditorLexicon):
        self.narrator = narrator
        self.lexicon = lexicon
        self._versions = _AudioVersions()

    def _spoken(self, article: Article) -> _SpokenArticle:
        # Just after an editor changed the lexicon, an article whose spoken text changed keeps being served as it
        # was (its audio is whole in the cache) until its new audio is whole too: a listener never waits for the
        # change, and every file and sentence list names one text, never a mix of both.
        newest = self._newest(article)
        previous = self.lexicon.previous()
        if previous is None:
            return newest
        older = _spoken(article.content_hash, article.title or "", article.body_html or "", previous)
        if older.segments == newest.segments or self.narrator.cached_article(newest.segments) is not None:
            return newest
        return older if self.narrator.cached_article(older.segments) is not None else newest

    def _newest(self, article: Article) -> _SpokenArticle:
        return _spoken(article.content_hash, article.title or "", article.body_html or "", self.lexicon.table())

    def newest_version(self, article: Article) -> str:
        """The version of the article's sentences under the lexicon in force now (what a re-make makes)."""
        return self._newest(article).version

    def spoken_sentences_under(self, article: Article, table: Lexicon) -> tuple[SpokenSentence, ...]:
        """The article's sentences as the given lexicon speaks them."""
        return _spoken(article.content_hash, article.title or "", article.body_html or "", table).sentences

    def spoken_under(self, article: Article, table: Lexicon) -> tuple[str, ...]:
        """The article's segments as the given lexicon would speak them."""
        return _spoken(article.content_hash, article.title or "", article.body_html or "", table).segments

    def make_newest_audio(self, article: Article) -> ArticleAudio:
        """The article's whole MP3 under the lexicon in force now, made where missing (a re-make after a change of
        the lexicon: the old audio is served meanwhile, see _spoken)."""
        return self.narrator.article_audio(self._newest(article).segments)

    def sentences(self, article: Article) -> tuple[SpokenSentence, ...]:
        """The article's sentences in order, each with its block (data-seg; 0 is the title) and spoken form."""
        return self._spoken(article).sentences

    def segments(self, article: Article) -> tuple[str, ...]:
        """What is said for an article, one segment per sentence: the title's first, then the body's."""
        return self._spoken(article).segments

    def version(self, article: Article) -> str:
        """The version of the article's sentences, for its audio and segment-list URLs."""
        if self.lexicon.previous() is not None:  # just after a change of the lexicon: see _spoken
            return self._spoken(article).version
        return self._versions.version(article.content_hash, article.title or "", article.body_html or "",
                                      self.lexicon.table())

    def failure_key(self, article: Article) -> str:
        """The key a failure to voice this text is remembered under, whichever engine failed."""
        return self._spoken(article).failure_key

    def failure(self, article: Article) -> str | None:
        """Why voicing the article failed a short while ago, or None; it is not tried again meanwhile."""
        return self.narrator.cache.failure(self.failure_key(article))

    def whole_opus(self, article: Article) -> CachedAudio:
        """The whole article's Opus, made now (after its MP3 and its segments' Opus, made first where missing):
        only for a listener who asks for it, the data saver's page without JavaScript, as it costs as much again as
        the segments' Opus. Failures as whole_audio's."""
        self.whole_audio(article)
        return self.narrator.article_opus(self.segments(article))

    def whole_audio(self, article: Article) -> ArticleAudio:
        """The article's whole MP3 and every segment's Opus, made now where missing; a failure of the engines is
        remembered for a few minutes, and asking again meanwhile raises SpeechError at once. A lock held too long
        (TimeoutError) is not remembered here: the caller decides (a job retried after its process died must try
        again)."""
        segments = self.segments(article)
        if self.narrator.cached_article(segments) is not None:
            return self.narrator.article_audio(segments, with_opus=True)  # only the Opus files it lacks are made
        if (reason := self.failure(article)) is not None:
            raise SpeechError(f"failed a short while ago: {reason}")
        try:
            return self.narrator.article_audio(segments, with_opus=True)
        except SpeechError as error:
            # Every engine said no: remembered, so listeners get an honest answer instead of a new try each.
            self.remember_failure(article, str(error) or type(error).__name__)
            raise

    def remember_failure(self, article: Article, reason: str) -> None:
        """Note that voicing the article failed, so requests for the next few minutes are told at once."""
        self.narrator.cache.remember_failure(self.failure_key(article), reason)

    def cached_whole_audio(self, article: Article) -> ArticleAudio | None:
        """The article's MP3 if the cache already holds all of it, by one engine; never synthesizes."""
        return self.narrator.cached_article(self.segments(article))

    def cached_segment(self, article: Article, index: int) -> CachedAudio | None:
        """One segment's MP3 if any engine has made it; never synthesizes."""
        return self.narrator.cached_segment(self.segments(article)[index])

    def cached_opus_segment(self, article: Article, index: int) -> CachedAudio | None:
        """One segment's Opus if it has been made; never makes anything."""
        return self.narrator.cached_opus_segment(self.segments(article)[index])

    def wait_for_opus_segment(self, article: Article, index: int, seconds: float) -> CachedAudio | None:
        """The segment's Opus once some thread or process has made it, or None after seconds; SpeechError if its
        article's making failed meanwhile."""
        text = self.segments(article)[index]
        keys = {key: engine for engine in self.narrator.engines for key in self.narrator.opus_keys(engine, text)}
        return self._wait_for_file(self.narrator.opus_cache, keys, article, seconds)

    def cached_whole_opus(self, article: Article) -> CachedAudio | None:
        """The whole article's Opus if it has been made; never makes anything."""
        return self.narrator.cached_article_opus(self.segments(article))

    def wait_for_whole_opus(self, article: Article, seconds: float) -> CachedAudio | None:
        """The whole article's Opus once some thread or process has made it (after every segment), or None after
        seconds; SpeechError if its article's making failed meanwhile."""
        segments = self.segments(article)
        keys = {self.narrator.article_opus_key(engine, segments): engine for engine in self.narrator.engines}
        return self._wait_for_file(self.narrator.opus_cache, keys, article, seconds)

    def wait_for_segment(self, article: Article, index: int, seconds: float) -> CachedAudio | None:
        """The segment once some thread or process has made it, or None after seconds; SpeechError if its
        article's making failed meanwhile."""
        text = self.segments(article)[index]
        keys = {self.narrator.segment_key(engine, text): engine for engine in self.narrator.engines}
        return self._wait_for_file(self.narrator.cache, keys, article, seconds)

    def _wait_for_file(self, cache, keys: dict, article: Article, seconds: float) -> CachedAudio | None:
        """The first of keys (cache key: the engine that makes it) some thread or process has made, or None after
        seconds; SpeechError if the article's making failed meanwhile."""
        try:
            found = cache.wait_for(list(keys), seconds, failure_key=self.failure_key(article))
        except RememberedFailure as error:
            raise SpeechError(str(error)) from error
        return None if found is None else CachedAudio(found[1], found[0], keys[found[0]].name)

    def wait_for_whole(self, article: Article, seconds: float) -> ArticleAudio | None:
        """The whole MP3 once its last segment is made (by any thread or process), or None after seconds;
        SpeechError if its making failed meanwhile."""
        last = max(index for index, text in enumerate(self.segments(article)) if is_speakable(text))
        if self.wait_for_segment(article, last, seconds) is None:
            return None
        return self.cached_whole_audio(article)

    def stream_while_made(self, article: Article, first_wait: float, next_wait: float) -> Iterator[bytes] | None:
        """The whole MP3 as chunks, each segment as soon as it is made elsewhere (a job), or None when the
        first one is not there within first_wait seconds. If a later segment takes longer than next_wait or
        its making fails, the chunks end with IncompleteAudio, never as a shorter file that looks whole; a job
        whose process died is retried meanwhile, so a short pause is all a listener usually notices."""
        segments = self.segments(article)
        files = self.narrator.segments_as_made(segments, next_wait, self.failure_key(article))
        try:
            first = self.narrator.cache.wait_for(
                [self.narrator.segment_key(engine, next(text for text in segments if is_speakable(text)))
                 for engine in self.narrator.engines],
                first_wait,
                failure_key=self.failure_key(article),
            )
        except (RememberedFailure, StopIteration) as error:
            raise SpeechError(str(error) or "nothing to stream") from error
        if first is None:
            return None
        return _file_chunks(files)

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
        """Cache keys of these articles' audio, MP3 and Opus, by any configured engine (what a prune of either cache
        keeps; the keys of one never name a file of the other)."""
        keys: set[str] = set()
        for article in articles:
            segments = self.segments(article)
            keys |= self.narrator.keys_for(segments) | self.narrator.opus_keys_for(segments)
        return keys


def _file_chunks(paths: Iterator, chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    # Headers are sent by now, so a failure cannot change the status; it must not end the body cleanly either,
    # or the listener keeps a cut-off file as if whole. Raising makes the server abort the transfer: the
    # chunked body never gets its last chunk, which every client reports as a failed download.
    try:
        for path in paths:
            with open(path, "rb") as file:
                while chunk := file.read(chunk_bytes):
                    yield chunk
    except (RememberedFailure, FileNotFoundError) as error:
        raise IncompleteAudio(f"the audio stopped before its end: {error}") from error
