"""What the view beacon, the listening beacon and the download routes share to decide what counts: a person's
request, not a HEAD, a browser's prefetch or prerender, nor a crawler; and the day it counts on."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask import Response, current_app, request

from web.htmx import wants_fragment
from web.site_services import site_services

PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Moz")
CRAWLER = re.compile(r"bot|crawl|spider|slurp|preview", re.IGNORECASE)


def is_counted_request(method: str = "GET") -> bool:
    """Whether this request is a person's: of the method expected (never HEAD), not an htmx fragment, not a
    browser prefetch or prerender (its subresources carry the same header), not a crawler."""
    if request.method != method or wants_fragment():
        return False
    if CRAWLER.search(request.headers.get("User-Agent", "")):
        return False
    return not any("prefetch" in request.headers.get(name, "").lower() for name in PREFETCH_HEADERS)


def today() -> dt.date:
    """The day an event counts on, in the site's TIMEZONE."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def count_download(article_id: int, event: str, response: Response) -> Response:
    """Count a download (MP3 or PDF) answered with the file from its start: a request without a Range, or whose
    one range starts at byte 0, answered with the file (200 or 206). A player's or a resumed download's later
    ranges, a 304 and a "đang chuẩn bị" page do not count. The request's Range is read, not the answer's: with
    X-Accel-Redirect nginx answers the ranges and the app's answer is always a 200."""
    if not is_counted_request() or response.status_code not in (200, 206):
        return response
    if response.mimetype not in ("audio/mpeg", "application/pdf"):
        return response
    asked = request.range
    if asked is not None and (len(asked.ranges) != 1 or asked.ranges[0][0] != 0):
        return response
    site_services().events.count(article_id, today(), event)
    return response
