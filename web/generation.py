"""What the audio and PDF views share for a file that is not made yet: starting its job within the client's
limit, waiting a bounded time for it, and the "đang chuẩn bị" and 429 answers."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import current_app, make_response, render_template, request
from limits import parse_many
from redis.exceptions import RedisError

from services.infra.jobs import Job, QueueFull, QueueUnavailable
from web.errors import render_error, service_unavailable
from web.htmx import wants_fragment
from web.http_caching import vary_on
from web.site_services import site_services

# Shorter than gunicorn's keep-alive (gunicorn.conf.py), so a poll reuses its connection.
PREPARING_RETRY_SECONDS = 3
BUSY_RETRY_SECONDS = 60
COLD_SCOPE = "cold-generation"


def refusal_to_start(job: Job):
    """Queue job unless it is queued or running already, a new job counting against this client's limit:
    None when it is queued or running, else the 429 (the client started its share) or the 503 (the queue
    cannot take it) that says why not."""
    services = site_services()
    if services.storage_away():
        # Whatever it made could not be kept: nothing is started (nor counted against the client).
        return storage_away_response()
    try:
        if services.jobs.is_pending(job.id):
            return None  # someone else's job: waiting for it costs nothing new
        if (retry_after := _cold_limit_retry_after()) is not None:
            return rate_limited_response(retry_after)
        services.jobs.enqueue(job)
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Generation job %s not queued: %s", job.id, error)
        return busy_response()
    return None


def _cold_limit_retry_after() -> int | None:
    """Count one new file for this client: None while it is within its limit, else the seconds until it is."""
    client = request.remote_addr or "unknown"
    strategy = site_services().cold_limiter
    try:
        for item in parse_many(current_app.config["COLD_GENERATION_LIMIT"]):
            if not strategy.hit(item, COLD_SCOPE, client):
                reset_at = strategy.get_window_stats(item, COLD_SCOPE, client).reset_time
                return max(1, math.ceil(reset_at - time.time()))
    except (RedisError, ConnectionError) as error:
        # The limit's store is away (Redis down): generation stays bounded by the queue, so let it through.
        current_app.logger.warning("Cold generation not counted: %s", error)
    return None


def take_waiting_slot() -> Callable[[], None] | None:
    """One of the few places for a request of this process to wait for a file being made: its release
    function, or None when all are taken (the request then answers "đang chuẩn bị" at once).

    A thread waiting here does no work (the job queue does), but it cannot serve a page meanwhile, so only
    GENERATION_WAITERS requests of a process may wait or stream at once."""
    waiters = site_services().waiters
    if not waiters.acquire(timeout=0.5):
        return None
    released = []

    def release() -> None:
        if not released:
            released.append(True)
            waiters.release()

    return release


def preparing_response(*, title: str, message: str, file_url: str, status_url: str, head: bool = False):
    """202 with Retry-After: the file is being made; a page that checks again by itself (htmx) and a plain
    link for readers without JavaScript. A HEAD request gets the headers alone."""
    fragment = wants_fragment()
    body = "" if head else render_template(
        "generation/_preparing.html" if fragment else "generation/preparing.html",
        title=title, message=message, file_url=file_url, status_url=status_url,
        retry_seconds=PREPARING_RETRY_SECONDS,
    )
    response = make_response(body, 202)
    response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    response.cache_control.no_store = True
    vary_on(response, "HX-Request")
    return response


def ready_fragment(*, title: str, file_url: str, link_text: str):
    """The status fragment once the file is made: a link to it (what the preparing fragment turns into)."""
    response = make_response(render_template(
        "generation/_ready.html" if wants_fragment() else "generation/ready.html",
        title=title, file_url=file_url, link_text=link_text,
    ))
    response.cache_control.no_store = True
    vary_on(response, "HX-Request")
    return response


def rate_limited_response(retry_after: int):
    """The Vietnamese 429 page with Retry-After: this client asked for too many new files at once."""
    minutes = max(1, math.ceil(retry_after / 60))
    response = make_response(*render_error(
        429,
        "Bạn yêu cầu quá nhiều tệp mới",
        f"Máy chủ đang tạo các tệp bạn đã yêu cầu. Xin thử lại sau khoảng {minutes} phút; "
        "các bài đã có âm thanh hoặc tệp PDF vẫn mở được ngay.",
    ))
    response.headers["Retry-After"] = str(retry_after)
    response.cache_control.no_store = True
    return response


def storage_away_response():
    """The Vietnamese 503 with Retry-After: the shared storage (the bucket) cannot keep new files now."""
    storage = site_services().storage
    retry_after = max(BUSY_RETRY_SECONDS // 2, math.ceil(storage.breaker.seconds_open())) if storage else BUSY_RETRY_SECONDS
    return service_unavailable(
        retry_after, "Chưa tạo được tệp mới", "Kho lưu trữ tạm thời không truy cập được. Xin thử lại sau ít phút; "
        "các bài đã có âm thanh trên máy chủ này vẫn nghe được.",
    )


def busy_response():
    """The Vietnamese 503 with Retry-After: the generation queue cannot take more work now."""
    return service_unavailable(
        BUSY_RETRY_SECONDS, "Máy chủ đang bận", "Máy chủ đang tạo nhiều tệp âm thanh và PDF. Xin thử lại sau ít phút."
    )
