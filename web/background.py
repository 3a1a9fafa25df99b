"""Work that runs after the request that started it: the generation jobs (an article's audio, its PDF), which
all go through the site's job queue (RQ workers with Redis, this process's pool without)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import current_app

from extensions import db
from models import Article
from services.content.articles import published_articles
from services.infra.jobs import BACKGROUND, URGENT, Job, QueueFull
from services.infra.logs import current_request_id
from services.infra.storage import StorageUnavailable
from services.printing.render import PdfRenderError
from services.speech import NothingToSpeak, SpeechError

AUDIO_TASK = "web.background:make_article_audio"
PDF_TASK = "web.background:make_article_pdf"
# The newsroom's: the same work for an article in any state but deleted (a draft's preview, a scheduled
# article made ahead of its time). Audio is content-addressed, so a draft's segments are the published article's.
STAFF_AUDIO_TASK = "web.background:make_staff_article_audio"
STAFF_PDF_TASK = "web.background:make_staff_article_pdf"


def _site_services():
    return current_app.extensions["docbai"]


def audio_job(article: Article, priority: int = URGENT) -> Job:
    """The job that voices an article as it reads now (an edit is a new job)."""
    version = _site_services().speech.version(article)
    return Job(f"audio-{article.id}-{version}", AUDIO_TASK, (article.id,), priority, current_request_id())


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


def _published(article_id: int) -> Article | None:
    statement = published_articles().where(Article.id == article_id)
    return db.session.execute(statement).scalar_one_or_none()


def _not_deleted(article_id: int) -> Article | None:
    article = db.session.get(Article, article_id)
    return article if article is not None and article.deleted_at is None else None


def make_article_audio(article_id: int) -> None:
    """Job: voice the article's every segment into the audio cache (a failure is remembered there)."""
    _timed("audio", _make_audio, article_id, _published)


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


def _make_audio(article: Article) -> str:
    speech = _site_services().speech
    try:
        speech.whole_audio(article)
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
