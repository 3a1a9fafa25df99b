"""Work that runs after the request that started it: the generation jobs (an article's audio, its PDF), which
all go through the site's job queue (RQ workers with Redis, this process's pool without)."""
from __future__ import annotations

import time
from dataclasses import astuple
from collections.abc import Callable, Iterable, Sequence

from flask import current_app

from extensions import db
from models import Article
from services.content.articles import published_articles
from services.newsroom.lexicon import articles_spoken_differently, candidate_articles, changed_keys, editor_entries
from services.infra.files import cache_key
from services.infra.jobs import BACKGROUND, URGENT, Job, QueueFull, QueueUnavailable
from services.infra.logs import current_request_id
from services.infra.storage import StorageUnavailable
from services.printing.render import PdfRenderError
from services.speech import NothingToSpeak, SpeechError
from services.vietnamese.lexicon import Entry, lexicon_with

AUDIO_TASK = "web.background:make_article_audio"
WHOLE_OPUS_TASK = "web.background:make_article_whole_opus"
PDF_TASK = "web.background:make_article_pdf"
# The newsroom's: the same work for an article in any state but deleted (a draft's preview, a scheduled
# article made ahead of its time). Audio is content-addressed, so a draft's segments are the published article's.
STAFF_AUDIO_TASK = "web.background:make_staff_article_audio"
STAFF_PDF_TASK = "web.background:make_staff_article_pdf"
# After a change of the editors' lexicon: find the articles it changes, then make each one's audio again.
LEXICON_CHANGE_TASK = "web.background:remake_audio_after_lexicon_change"
REMAKE_AUDIO_TASK = "web.background:remake_article_audio"
SAMPLE_TASK = "web.background:make_spoken_sample"


def _site_services():
    return current_app.extensions["docbai"]


def audio_job(article: Article, priority: int = URGENT) -> Job:
    """The job that voices an article as it reads now (an edit is a new job)."""
    version = _site_services().speech.version(article)
    return Job(f"audio-{article.id}-{version}", AUDIO_TASK, (article.id,), priority, current_request_id())


def whole_opus_job(article: Article, priority: int = URGENT) -> Job:
    """The job that makes an article's whole Opus (and its audio first, where missing), as it reads now."""
    version = _site_services().speech.version(article)
    return Job(f"opus-{article.id}-{version}", WHOLE_OPUS_TASK, (article.id,), priority, current_request_id())


def pdf_job(article: Article, priority: int = URGENT) -> Job:
    """The job that renders an article's PDF as it reads now."""
    key = _site_services().pdfs.key(article)
    return Job(f"pdf-{article.id}-{key[:16]}", PDF_TASK, (article.id,), priority, current_request_id())


def staff_audio_job(article: Article, priority: int = URGENT) -> Job:
    """The job that voices an article in any state as it reads now (the newsroom's Nghe thử, a scheduled article)."""
    version = _site_services().speech.version(article)
    return Job(f"staff-audio-{article.id}-{version}", STAFF_AUDIO_TASK, (article.id,), priority, current_request_id())


def staff_pdf_job(article: Article, priority: int = URGENT) -> Job:
    """The job that renders the PDF of an article in any state as it reads now (Bản in thử)."""
    key = _site_services().pdfs.key(article)
    return Job(f"staff-pdf-{article.id}-{key[:16]}", STAFF_PDF_TASK, (article.id,), priority, current_request_id())


def lexicon_change_job(before: Sequence[Entry], after: Sequence[Entry]) -> Job:
    """The low-priority job that re-makes the audio of every published article whose spoken text changes
    between the two lists of editors' entries."""
    keys = sorted(changed_keys(before, after))
    job_id = "lexicon-" + cache_key("lexicon-change", *(entry.as_tsv() for entry in after), "\x1f",
                                    *(entry.as_tsv() for entry in before))[:16]
    return Job(job_id, LEXICON_CHANGE_TASK, (_plain(before), _plain(after), tuple(keys)), BACKGROUND,
               current_request_id())


def _plain(entries: Sequence[Entry]) -> tuple[tuple[str, ...], ...]:
    return tuple(astuple(entry) for entry in entries)  # pickled into Redis for a worker: plain values only


def after_lexicon_change(before: Sequence[Entry]) -> bool:
    """Once a change of the editors' entries is committed: in force in every process within a second, and the audio
    of the articles it changes queued to be made again at low priority; False if the queue could not take it."""
    services = _site_services()
    services.speech.lexicon.changed()
    after = editor_entries(db.session.connection())
    if set(after) == set(before):
        return True
    try:
        services.jobs.enqueue(lexicon_change_job(before, after))
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Audio not re-made after a lexicon change: %s", error)
        return False
    return True


def remake_audio_job(article: Article) -> Job:
    """The low-priority job that makes an article's audio under the lexicon in force now."""
    version = _site_services().speech.newest_version(article)
    return Job(f"remake-audio-{article.id}-{version}", REMAKE_AUDIO_TASK, (article.id,), BACKGROUND,
               current_request_id())


def remake_audio_after_lexicon_change(before: Sequence[tuple], after: Sequence[tuple], keys: Sequence[str]) -> int:
    """Job: queue a re-make of the audio of each published article the change alters; how many were queued."""
    services = _site_services()
    services.speech.lexicon.refresh()
    old, new = lexicon_with(Entry(*entry) for entry in before), lexicon_with(Entry(*entry) for entry in after)
    articles = db.session.execute(candidate_articles(keys)).scalars()
    queued = 0
    for article in articles_spoken_differently(articles, old, new, services.speech.spoken_under):
        try:
            queued += services.jobs.enqueue(remake_audio_job(article))
        except QueueFull:
            current_app.logger.warning("Audio of %s not re-made after a lexicon change: the queue is full", article.slug)
    current_app.logger.info("Lexicon changed (%s): %d articles' audio to make again", ", ".join(keys), queued)
    return queued


def remake_article_audio(article_id: int) -> None:
    """Job: make a published article's audio under the lexicon in force now (its old audio is served meanwhile)."""
    _timed("audio", _remake_audio, article_id, _published)


def _remake_audio(article: Article) -> str:
    speech = _site_services().speech
    speech.lexicon.refresh()
    try:
        speech.make_newest_audio(article)
    except NothingToSpeak:
        return "skipped"
    except SpeechError as error:
        current_app.logger.warning("No new audio for %s: %s", article.slug, error)
        return "failed"
    return "made"


def sample_job(text: str) -> Job:
    """The job that speaks one short text (a lexicon entry's Nghe thử) into the audio cache."""
    return Job("sample-" + cache_key("sample", text)[:16], SAMPLE_TASK, (text,), URGENT, current_request_id())


def make_spoken_sample(text: str) -> None:
    """Job: speak one text (already in its spoken form) into the audio cache, as one segment of an article is."""
    try:
        _site_services().speech.narrator.article_audio((text,))
    except (SpeechError, NothingToSpeak) as error:
        current_app.logger.warning("No sample audio: %s", error)


def _published(article_id: int) -> Article | None:
    statement = published_articles().where(Article.id == article_id)
    return db.session.execute(statement).scalar_one_or_none()


def _not_deleted(article_id: int) -> Article | None:
    article = db.session.get(Article, article_id)
    return article if article is not None and article.deleted_at is None else None


def make_article_audio(article_id: int) -> None:
    """Job: voice the article's every segment into the audio cache (a failure is remembered there)."""
    _timed("audio", _make_audio, article_id, _published)


def make_article_whole_opus(article_id: int) -> None:
    """Job: make the article's whole Opus, for the data saver's page without JavaScript (its audio first)."""
    _timed("audio", _make_whole_opus, article_id, _published)


def make_article_pdf(article_id: int) -> None:
    """Job: render the article's PDF into the PDF cache (a failure is remembered there)."""
    _timed("pdf", _make_pdf, article_id, _published)


def make_staff_article_audio(article_id: int) -> None:
    """Job: voice an article in any state but deleted (the newsroom's preview, a scheduled article)."""
    _timed("audio", _make_audio, article_id, _not_deleted)


def make_staff_article_pdf(article_id: int) -> None:
    """Job: render the PDF of an article in any state but deleted."""
    _timed("pdf", _make_pdf, article_id, _not_deleted)


def _timed(kind: str, make: Callable[[Article], str], article_id: int,
           find: Callable[[int], Article | None]) -> None:
    # Here, in the job itself, because a job runs in a thread of the web process or in an RQ work horse.
    started, outcome = time.perf_counter(), "error"
    try:
        article = find(article_id)
        outcome = "skipped" if article is None else make(article)
    finally:
        current_app.extensions["docbai_metrics"].job_finished(kind, outcome, time.perf_counter() - started)


def _make_whole_opus(article: Article) -> str:
    return _make_audio(article, whole_opus=True)


def _make_audio(article: Article, whole_opus: bool = False) -> str:
    speech = _site_services().speech
    try:
        speech.whole_opus(article) if whole_opus else speech.whole_audio(article)
    except NothingToSpeak:
        return "skipped"
    except SpeechError as error:
        current_app.logger.warning("No audio for %s: %s", article.slug, error)
        return "failed"
    except StorageUnavailable as error:
        # Not remembered: the bucket coming back is all it takes, and the next listener's request queues it again.
        current_app.logger.warning("No audio for %s, the storage is away: %s", article.slug, error)
        return "failed"
    except Exception as error:
        # A real failure (a lock held too long by a stuck maker, the database): remembered, so its listeners
        # get an honest 503 instead of waiting; raised, so RQ retries it. A killed process raises nothing here.
        speech.remember_failure(article, f"{type(error).__name__}: {error}")
        raise
    return "made"


def _make_pdf(article: Article) -> str:
    try:
        _site_services().pdfs.get_or_render(article)
    except PdfRenderError as error:
        current_app.logger.warning("No PDF for %s: %s", article.slug, error)
        return "failed"
    except StorageUnavailable as error:
        current_app.logger.warning("No PDF for %s, the storage is away: %s", article.slug, error)
        return "failed"
    return "made"


def queue_generation(articles: Iterable[Article], priority: int = BACKGROUND, staff: bool = False) -> tuple[int, int]:
    """Queue the audio and PDF of each article not cached yet; (jobs queued, articles left out because the
    queue was full). staff: the jobs that make them whatever the article's state (the newsroom's)."""
    services = _site_services()
    audio, pdf = (staff_audio_job, staff_pdf_job) if staff else (audio_job, pdf_job)
    articles = list(articles)
    queued = 0
    for done, article in enumerate(articles):
        try:
            if services.speech.cached_whole_audio(article) is None:
                queued += services.jobs.enqueue(audio(article, priority))
            if services.pdfs.cached(article) is None:
                queued += services.jobs.enqueue(pdf(article, priority))
        except QueueFull:
            return queued, len(articles) - done
    return queued, 0
