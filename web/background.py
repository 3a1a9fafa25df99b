"""Work that runs after the request that started it: the generation jobs (an article's audio, its PDF)
that go through the site's job queue, and named background runs in a thread of their own."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable

from filelock import FileLock, Timeout
from flask import current_app

from extensions import db
from models import Article
from services.content.articles import published_articles
from services.infra.jobs import BACKGROUND, URGENT, Job, QueueFull, lower_priority_of_this_thread
from services.infra.logs import current_request_id, request_id_bound
from services.printing.render import PdfRenderError
from services.speech import NothingToSpeak, SpeechError

AUDIO_TASK = "web.background:make_article_audio"
PDF_TASK = "web.background:make_article_pdf"


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


def _published(article_id: int) -> Article | None:
    statement = published_articles().where(Article.id == article_id)
    return db.session.execute(statement).scalar_one_or_none()


def make_article_audio(article_id: int) -> None:
    """Job: voice the article's every segment into the audio cache (a failure is remembered there)."""
    _timed("audio", _make_audio, article_id)


def make_article_pdf(article_id: int) -> None:
    """Job: render the article's PDF into the PDF cache (a failure is remembered there)."""
    _timed("pdf", _make_pdf, article_id)


def _timed(kind: str, make: Callable[[int], str], article_id: int) -> None:
    # Here, in the job itself, because a job runs in a thread of the web process or in an RQ work horse.
    started, outcome = time.perf_counter(), "error"
    try:
        outcome = make(article_id)
    finally:
        current_app.extensions["docbai_metrics"].job_finished(kind, outcome, time.perf_counter() - started)


def _make_audio(article_id: int) -> str:
    if (article := _published(article_id)) is None:
        return "skipped"
    try:
        _site_services().speech.whole_audio(article)
    except NothingToSpeak:
        return "skipped"
    except (SpeechError, TimeoutError) as error:
        current_app.logger.warning("No audio for %s: %s", article.slug, error)
        return "failed"
    return "made"


def _make_pdf(article_id: int) -> str:
    if (article := _published(article_id)) is None:
        return "skipped"
    try:
        _site_services().pdfs.get_or_render(article)
    except PdfRenderError as error:
        current_app.logger.warning("No PDF for %s: %s", article.slug, error)
        return "failed"
    return "made"


def queue_generation(articles: Iterable[Article], priority: int = BACKGROUND) -> tuple[int, int]:
    """Queue the audio and PDF of each article not cached yet; (jobs queued, articles left out because the
    queue was full)."""
    services = _site_services()
    articles = list(articles)
    queued = 0
    for done, article in enumerate(articles):
        try:
            if services.speech.cached_whole_audio(article) is None:
                queued += services.jobs.enqueue(audio_job(article, priority))
            if services.pdfs.cached(article) is None:
                queued += services.jobs.enqueue(pdf_job(article, priority))
        except QueueFull:
            return queued, len(articles) - done
    return queued, 0


class BackgroundWork:
    """Runs a named job in a thread with the app's context; one job of a name at a time in this process
    (a lock) and on this server (a file lock), however many requests ask for it."""

    def __init__(self, app, lock_directory: str | os.PathLike[str]):
        self._app = app
        self._lock_directory = os.fspath(lock_directory)
        self._running: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def start(self, name: str, job: Callable[[], None]) -> threading.Thread | None:
        """Start job() in the background; None when a job of this name is already running here."""
        with self._guard:
            running = self._running.setdefault(name, threading.Lock())
        if not running.acquire(blocking=False):
            return None
        args = (name, job, running, current_request_id())
        thread = threading.Thread(target=self._run, args=args, name=name, daemon=True)
        try:
            thread.start()
        except BaseException:
            running.release()
            raise
        return thread

    def _run(self, name: str, job: Callable[[], None], running: threading.Lock, request_id: str | None) -> None:
        lower_priority_of_this_thread()
        os.makedirs(self._lock_directory, exist_ok=True)
        with request_id_bound(request_id):  # the request that started it, in the job's log lines
            try:
                with FileLock(os.path.join(self._lock_directory, f"{name}.lock"), timeout=0), self._app.app_context():
                    job()
            except Timeout:
                pass  # another process runs this job already; the next request that needs it looks again
            except Exception:
                self._app.logger.exception("Background job %s failed", name)
            finally:
                running.release()
