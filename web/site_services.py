"""The site's services, made once per app by the factory and found by the views through one accessor."""
from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from redis import Redis
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from extensions import cache, db
from services.content.articles import add_views, stored_views
from services.newsroom.lexicon import editor_entries
from services.infra.content_version import ContentVersion, FileContentVersion, RedisContentVersion
from services.infra.breaker import CircuitBreaker
from services.infra.files import FileCache, RedisLocks
from services.infra.storage import BucketCopies, ObjectStore, cache_options, object_store_from_config
from services.infra.redis_client import guarded_redis
from services.infra.jobs import Job, JobQueue, make_job_queue, run_job
from services.media.store import MEDIA_FOLDER
from services.printing.article_pdf import PDF_SUFFIX, ArticlePdfs, PrintSite
from services.speech import narrator_for
from services.speech.article_audio import ArticleSpeech
from services.speech.lexicon import EditorLexicon
from services.infra.static_files import StaticFiles
from services.content.views import ArticleViews
from services.statistics.counting import ArticleEvents, add_tallies
from web.assets import static_files
from web.urls import public_url

PRINT_TEMPLATE = "printing/article.html"
PRINT_STYLESHEET = "css/print.css"

@dataclass(frozen=True)
class SiteServices:
    """Long-lived objects one app shares across requests and threads."""

    speech: ArticleSpeech
    pdfs: ArticlePdfs
    jobs: JobQueue
    cold_limiter: RateLimiter  # counts new generation per client (see web.generation)
    waiters: threading.BoundedSemaphore  # requests of this process waiting for a file being made
    views: ArticleViews  # counting a view, writing the buffer, the count a reader sees
    events: ArticleEvents  # the statistics' per-day counts (views, plays, sentences heard, downloads), buffered
    content_version: ContentVersion  # the token every cached page is keyed by (web.page_cache)
    redis: Redis | None = None  # the site's one Redis client (REDIS_URL): short timeouts, a circuit breaker
    storage: ObjectStore | None = None  # the bucket of STORAGE_BACKEND=s3 (media/ and the caches' folders)
    bucket: BucketCopies | None = None  # how the file caches keep their files in it
    media: ObjectStore | None = None  # the media store's folder in it

    def storage_away(self) -> bool:
        """True while the bucket failed a moment ago: new audio and PDFs cannot be kept, so none is started."""
        return self.storage is not None and not self.storage.available


def site_services() -> SiteServices:
    """The current app's services."""
    return current_app.extensions["docbai"]


def init_site_services(app) -> None:
    """Make the app's narrator, lexicon, PDF cache, job queue, and rate limiter from its
    configuration."""
    config = app.config
    metrics = app.extensions["docbai_metrics"]  # made by init_observability, which runs first
    redis = (
        guarded_redis(config["REDIS_URL"], config["REDIS_TIMEOUT_SECONDS"], CircuitBreaker(config["REDIS_BREAKER_SECONDS"]))
        if config["REDIS_URL"] else None
    )
    metrics.shared_state = redis is not None  # the queue and the views then live in Redis, read by a scrape
    # With Redis, every host that shares the storage takes the same locks, so a file is made once in all.
    shared_locks = RedisLocks(redis) if redis is not None else None
    storage = object_store_from_config(config)
    bucket = BucketCopies(storage, config["LOCAL_COPY_MAX_BYTES"], redis) if storage is not None else None
    speech = ArticleSpeech(
        narrator_for(
            config["TTS_ENGINE"], config["AUDIO_CACHE_DIR"], config["VOICES_DIR"], config["AUDIO_CACHE_MAX_BYTES"],
            shared_locks, metrics.engine_passed_over, metrics.breaker_state, config["AUDIO_OPUS_CACHE_MAX_BYTES"],
            bucket,
        ),
        EditorLexicon(
            _editor_entries_of(app),
            RedisContentVersion(redis, "docbai:lexicon-version", config["CONTENT_VERSION_RECHECK_SECONDS"])
            if redis is not None
            else FileContentVersion(os.path.join(app.instance_path, "lexicon-version"),
                                    config["CONTENT_VERSION_RECHECK_SECONDS"]),
        ),
    )

    def run_in_app_context(job: Job) -> object:
        with app.app_context():
            return run_job(job)

    app.extensions["docbai"] = SiteServices(
        speech=speech,
        pdfs=_article_pdfs(app, shared_locks, bucket, storage.child(MEDIA_FOLDER) if storage is not None else None),
        jobs=make_job_queue(
            redis, config["GENERATION_WORKERS"], config["GENERATION_QUEUE_MAX"], run_in_app_context,
            metrics.jobs_pending_now,
        ),
        cold_limiter=_cold_generation_limiter(app, redis),
        waiters=threading.BoundedSemaphore(config["GENERATION_WAITERS"]),
        views=_article_views(app, redis),
        events=_article_events(app, redis),
        redis=redis,
        storage=storage,
        bucket=bucket,
        media=storage.child(MEDIA_FOLDER) if storage is not None else None,
        content_version=(
            RedisContentVersion(redis, recheck_seconds=config["CONTENT_VERSION_RECHECK_SECONDS"]) if redis is not None
            else FileContentVersion(
                os.path.join(app.instance_path, "content-version"), config["CONTENT_VERSION_RECHECK_SECONDS"]
            )
        ),
    )


def _editor_entries_of(app):
    def load():
        # A connection of its own, not the request's session: reading the lexicon never joins the request's
        # transaction (nor flushes what a view has not committed yet).
        with app.app_context(), db.engine.connect() as connection:
            return editor_entries(connection)

    return load


def _article_views(app, redis) -> ArticleViews:
    def write(counts, batch_id=None) -> None:
        with app.app_context():
            add_views(counts, batch_id)

    metrics = app.extensions["docbai_metrics"]
    # stored_views runs in the request's context: only a page asks for a count.
    views = ArticleViews(write, stored_views, cache, app.config["VIEW_FLUSH_SECONDS"], redis,
                         on_flush=metrics.views_flushed)
    # This process's buffer is written at exit too (gunicorn's worker_exit hook flushes first; a `flask`
    # command has only this). With Redis it holds only the views that came while Redis was away. A weak
    # reference: an app that is gone (a test's) is not kept alive by its exit handler.
    atexit.register(_flush_at_exit, weakref.ref(views))
    return views


def _article_events(app, redis) -> ArticleEvents:
    def write(counts, batch_id=None) -> None:
        with app.app_context():
            add_tallies(counts, batch_id)

    events = ArticleEvents(write, app.config["VIEW_FLUSH_SECONDS"], redis)
    atexit.register(_flush_at_exit, weakref.ref(events))  # as the views' buffer (see _article_views)
    return events


def _flush_at_exit(reference: weakref.ref) -> None:
    counter = reference()
    if counter is None:
        return
    try:
        counter.flush()
    except Exception:
        logging.getLogger(__name__).exception("Counts not written at exit")


def flush_views(app) -> int:
    """Write the app's pending views, and the statistics' counts, to the database now (a graceful stop, a
    test); how many views were written."""
    services = app.extensions["docbai"]
    written = services.views.flush()
    services.events.flush()
    return written


def _cold_generation_limiter(app, redis) -> RateLimiter:
    """Counts per client address (behind a proxy, ProxyFix makes it the client's), shared by every worker
    and host through Redis when there is one (the site's client's pool and its short timeouts)."""
    # The limits library (what Flask-Limiter is built on) used directly: only new generation is limited,
    # and Flask-Limiter's extension would check every request, a tenth of what a cached page costs.
    if redis is None:
        return MovingWindowRateLimiter(storage_from_string("memory://"))
    return MovingWindowRateLimiter(storage_from_string(app.config["REDIS_URL"], connection_pool=redis.connection_pool))


def _article_pdfs(app, shared_locks: RedisLocks | None, bucket: BucketCopies | None,
                  media_store: ObjectStore | None) -> ArticlePdfs:
    config = app.config
    render_timeout = config["PDF_RENDER_TIMEOUT"]
    site_path = urlsplit(config["SITE_URL"]).path.rstrip("/")
    static_url_path = f"{site_path}{app.static_url_path}/"
    site = PrintSite(
        site_url=config["SITE_URL"],
        site_name=config["SITE_NAME"],
        zone=ZoneInfo(config["TIMEZONE"]),
        static_root=app.static_folder,
        media_root=config["MEDIA_ROOT"],
        static_url_path=static_url_path,
        article_url=lambda article: public_url("reading.article", slug=article.slug),
        print_view_url=lambda article: public_url("printing.print_view", slug=article.slug),
        stylesheet_url=config["SITE_URL"].rstrip("/") + app.static_url_path + "/" + PRINT_STYLESHEET,
        media_store=media_store,
    )
    # The print template is fingerprinted like a static file (by content, read again only when it changes),
    # so an edited template makes new PDFs at once, an edited print stylesheet within STATIC_RECHECK_SECONDS.
    templates = StaticFiles(os.path.join(app.root_path, app.template_folder))

    def design_fingerprints() -> tuple[str, str]:
        return templates.fingerprint(PRINT_TEMPLATE) or "", static_files().fingerprint(PRINT_STYLESHEET) or ""

    return ArticlePdfs(
        FileCache(
            config["PDF_CACHE_DIR"], PDF_SUFFIX, render_timeout, max_bytes=config["PDF_CACHE_MAX_BYTES"],
            shared_locks=shared_locks, **cache_options(bucket, "pdf"),
        ),
        site,
        lambda **context: render_template(PRINT_TEMPLATE, **context),
        design_fingerprints,
        render_timeout,
    )
