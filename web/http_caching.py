"""Pages a browser may keep: a weak ETag on every HTML page, so a repeat visit costs a 304 and no body.

The ETag is a hash of the rendered page, computed after rendering, so it covers everything the page
shows — article, lists, sidebars, reading preferences — and can never say "unchanged" about a page that
changed. Text marked `data-volatile` (the view count, which changes on every visit) is left out of the
hash: a reader who already holds the page gets a 304 and keeps a count that is a few views old. That is
what a weak validator means — the same page in meaning, not in every byte — and it is also why the tag
stays the same whichever compression the response then gets.
"""
import hashlib
import re

from flask import g, request

VOLATILE_TEXT = re.compile(rb"<(span|small|data)\b[^>]*\bdata-volatile\b[^>]*>[^<]*</\1>")


def page_validator(body: bytes) -> str:
    """The ETag value of a rendered page: a hash of its content without the volatile parts."""
    return hashlib.blake2b(VOLATILE_TEXT.sub(b"", body), digest_size=16).hexdigest()


def _conditional_pages(response):
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.is_streamed
        or "Content-Encoding" in response.headers
    ):
        return response
    if "ETag" not in response.headers:  # a page from web.page_cache comes with its validator and digest
        body = response.get_data()
        response.set_etag(page_validator(body), weak=True)
        # The compression hook keeps what it made of this exact body (web.page_cache.CompressedPages).
        g.body_digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    # Always ask before reusing: the browser keeps the page, and the server answers 304 when it is current.
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def init_http_caching(app):
    """Give every HTML page a validator and answer repeat visits with 304 Not Modified.

    Registered after the compression hook, so it runs before it: a 304 is decided before any
    compressing work is done.
    """
    app.after_request(_conditional_pages)
