"""What an operator sees of each request: its id (sent back in X-Request-ID and carried by the jobs it queues),
one log line, and its count and latency in the metrics; and what /readyz and /metrics read.

The app writes the request line, not gunicorn's access log: only the app knows the request id, the endpoint
and the log format, and it can leave the probes out (see gunicorn.conf.py).
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import time
from urllib.parse import quote

from flask import current_app, g, request

from extensions import db
from services.infra import health
from services.infra.jobs import URGENT, RedisQueue
from services.infra.logs import bind_request_id, configure_logging, current_request_id, request_id_for, unbind_request_id
from services.infra.metrics import WEB_FOLDER, WORKER_FOLDER, ScrapeTimeCollector, SiteMetrics

REQUEST_ID_HEADER = "X-Request-ID"
# Probes and scrapes come every few seconds: their lines are debug, so they never bury the readers' requests.
QUIET_ENDPOINTS = frozenset({"operations.healthz", "operations.readyz", "operations.metrics"})
UNMATCHED = "none"  # the endpoint label of a request no route matched (a 404), so made-up URLs add no series
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?%"

request_log = logging.getLogger("docbai.requests")


def init_observability(app) -> None:
    """Log lines with request ids, the metrics of this process, and the hooks that record every request.

    Called before the other hooks are registered: its before_request runs first and its after_request last,
    so the time covers the others (compression included) and the id is bound for their log lines."""
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    app.extensions["docbai_metrics"] = SiteMetrics()
    app.extensions["docbai_readiness"] = health.ReadinessChecks()
    app.before_request(_begin_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)


def site_metrics() -> SiteMetrics:
    """The current app's metrics."""
    return current_app.extensions["docbai_metrics"]


def _begin_request():
    g.docbai_started = time.perf_counter()
    g.docbai_request_id = bind_request_id(request_id_for(request.headers.get(REQUEST_ID_HEADER)))


def _finish_request(response):
    # Each name looked up once: the request and g are context-local proxies, a few of which cost as much as
    # the rest of this hook (bench/request_hooks.py).
    this_request, context = request._get_current_object(), g._get_current_object()
    started = getattr(context, "docbai_started", None)
    seconds = time.perf_counter() - started if started is not None else 0.0
    endpoint = this_request.endpoint or UNMATCHED
    status = response.status_code
    current_app.extensions["docbai_metrics"].request_finished(endpoint, status, seconds)
    request_id = current_request_id()
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    level = logging.DEBUG if endpoint in QUIET_ENDPOINTS else logging.INFO
    if request_log.isEnabledFor(level):
        _log_request(this_request, level, endpoint, status, response.content_length, seconds)
    return response


def _end_request(_error=None):
    token = g.pop("docbai_request_id", None)
    if token is not None:
        unbind_request_id(token)


def _log_request(this_request, level: int, endpoint: str, status: int, size: int | None, seconds: float) -> None:
    query = this_request.query_string.decode("latin-1")
    # Quoted again: request.path is decoded, and a %0A in a URL must not start a forged log line.
    target = quote(this_request.path, safe=_PATH_SAFE) + ("?" + quote(query, safe=_QUERY_SAFE) if query else "")
    client, method = this_request.remote_addr, this_request.method
    agent = this_request.headers.get("User-Agent", "")
    milliseconds = round(seconds * 1000, 1)
    # The record made directly, not by request_log.log(): that looks up its caller's file and line (a third of
    # the cost of a line), which for this line is always here.
    request_log.handle(request_log.makeRecord(
        request_log.name, level, __file__, 0,
        '%s "%s %s" %s %s %sms "%s"',
        (client, method, target, status, "-" if size is None else size, milliseconds, agent.replace('"', "'")),
        None,
        extra={
            "client": client, "method": method, "path": target, "status": status, "bytes": size,
            "duration_ms": milliseconds, "endpoint": endpoint, "user_agent": agent,
        },
    ))


def metrics_allowed() -> bool:
    """True when the request carries METRICS_TOKEN as its bearer token (compared in constant time); never when
    no token is configured."""
    expected = current_app.config["METRICS_TOKEN"]
    authorization = request.authorization
    if not expected or authorization is None or authorization.type != "bearer" or not authorization.token:
        return False
    return hmac.compare_digest(authorization.token.encode("utf-8"), expected.encode("utf-8"))


def metrics_text() -> bytes:
    """The Prometheus exposition of this host (every gunicorn worker and `flask worker` of it) or process."""
    services = current_app.extensions["docbai"]
    shared = isinstance(services.jobs, RedisQueue)
    scrape_time = ScrapeTimeCollector(
        caches=[("audio", services.speech.narrator.cache), ("audio_opus", services.speech.narrator.opus_cache),
                ("pdf", services.pdfs.cache)],
        queue_limit=current_app.config["GENERATION_QUEUE_MAX"],
        jobs_pending=services.jobs.pending_count if shared else None,
        views_pending=services.views.pending_total if shared else None,
    )
    folder = current_app.config["METRICS_DIR"]
    return site_metrics().exposition([scrape_time], [os.path.join(folder, WEB_FOLDER), os.path.join(folder, WORKER_FOLDER)])


def readiness() -> dict[str, str]:
    """Each readiness check's result: the database, Redis, the folders written to, the queue's room and, with
    Redis, a `flask worker`'s heartbeat (without Redis this process's own threads make the files)."""
    config = current_app.config
    services = current_app.extensions["docbai"]
    engine, jobs, limit = db.engine, services.jobs, config["GENERATION_QUEUE_MAX"]
    folders = [config["MEDIA_ROOT"], config["AUDIO_CACHE_DIR"], config["PDF_CACHE_DIR"]]
    checks = {
        "database": lambda: health.check_database(engine),
        "storage": lambda: health.check_writable(folders),
        "queue": lambda: health.check_queue(jobs.pending_count(), limit),
    }
    if services.redis is not None:
        redis = services.redis
        checks["redis"] = lambda: health.check_redis(redis)
    if isinstance(jobs, RedisQueue):
        urgent = jobs.queues()[URGENT]
        checks["worker"] = lambda: health.check_worker_heartbeat(
            health.rq_worker_heartbeats(urgent), dt.datetime.now(dt.timezone.utc)
        )
    results = current_app.extensions["docbai_readiness"].run(checks)
    for name, result in results.items():
        if result != health.OK:
            current_app.logger.warning("Not ready, %s: %s", name, result)
    return results
