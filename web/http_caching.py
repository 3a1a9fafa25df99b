"""Pages a browser may keep, and pages compressed once: one after-request step gives every HTML page a weak
ETag (a repeat visit costs a 304 and no body), then compresses the response, keeping what it made of each
exact page body so the same page is compressed once, not on every request.

The ETag is a hash of the rendered page, computed after rendering, so it covers everything the page
shows — article, lists, sidebars, reading preferences — and can never say "unchanged" about a page that
changed. Text marked `data-volatile` (the view count, which changes on every visit) is left out of the
hash: a reader who already holds the page gets a 304 and keeps a count that is a few views old. That is
what a weak validator means — the same page in meaning, not in every byte — and it is also why the tag
stays the same whichever compression the response then gets.
"""
from __future__ import annotations

import gzip
import hashlib
import re
from functools import lru_cache

import brotli
from flask import current_app, request
from werkzeug.http import parse_accept_header

from extensions import compress
from services.infra.near_cache import NearCache

# The one definition of the volatile part of a page (the view count): the page cache cuts the page there and
# the validator leaves it out.
_VOLATILE_PATTERN = r"(?P<open><(?P<tag>span|small|data)\b[^>]*\bdata-volatile\b[^>]*>)(?P<text>[^<]*)</(?P=tag)>"
VOLATILE_TEXT = re.compile(_VOLATILE_PATTERN)
_VOLATILE_BYTES = re.compile(_VOLATILE_PATTERN.encode("ascii"))
# Where this request's response body is named for the compression cache (see name_body).
_BODY_NAME = "docbai.body_name"


def page_validator(body: bytes) -> str:
    """The ETag value of a rendered page: a hash of its content without the volatile parts."""
    return hashlib.blake2b(_VOLATILE_BYTES.sub(b"", body), digest_size=16).hexdigest()


def name_body(name: str) -> None:
    """Name this request's page body for the compression cache, when the caller knows it without hashing it
    (the page cache: the entry's key and the count filled in)."""
    request.environ[_BODY_NAME] = name


class CompressedPages:
    """Flask-Compress's cache of compressed bodies, keyed by the body's name (see compressed_body_key).
    Bounded, in memory."""

    def __init__(self, max_entries: int = 256):
        self._bodies = NearCache(None, max_entries)

    def get(self, key: str) -> bytes | None:
        """The compressed body under key, if kept."""
        # Flask-Compress asks with "<encoding>;<compressed_body_key>": a body without a name ends with ";".
        return None if key.endswith(";") else self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Keep a compressed body, dropping the least recently used beyond max_entries."""
        if not key.endswith(";"):
            self._bodies.put(key, value)


def vary_on(response, *names: str) -> None:
    """Add header names to the response's Vary. Every page passes here two or three times; werkzeug's
    response.vary parses the header into a set and writes it back on each change, this reads it once and writes
    it only when a name is missing (a cached page arrives with all of them)."""
    current = response.headers.get("Vary")
    listed = {part.strip().lower() for part in current.split(",")} if current else set()
    missing = [name for name in names if name.lower() not in listed]
    if missing:
        response.headers["Vary"] = ", ".join([current, *missing] if current else missing)


def chosen_encoding() -> str | None:
    """The compression this request's browser takes, brotli first (as Flask-Compress chooses), or None."""
    return _encoding_for(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=64)
def _encoding_for(accept_encoding: str) -> str | None:
    # Browsers send a handful of distinct headers: each is parsed once, not on every cached page served.
    accepted = parse_accept_header(accept_encoding)
    brotli_quality, gzip_quality = accepted.quality("br"), accepted.quality("gzip")
    if brotli_quality and brotli_quality >= gzip_quality:
        return "br"
    return "gzip" if gzip_quality else None


def compressed(body: bytes, encoding: str | None) -> bytes:
    """body compressed for encoding (br or gzip, at the levels Flask-Compress is configured with), or as it is."""
    config = current_app.config
    if encoding == "br":
        return brotli.compress(body, quality=config["COMPRESS_BR_LEVEL"])
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=config["COMPRESS_LEVEL"], mtime=0)
    return body


def compressed_body_key(this_request) -> str:
    """Flask-Compress's cache key: the name of the body about to be compressed, or "" (not kept)."""
    return this_request.environ.get(_BODY_NAME, "")


def _validate_page(response):
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.is_streamed
        or "Content-Encoding" in response.headers
    ):
        return response
    if "ETag" not in response.headers:  # a page from web.page_cache comes with its validator and name
        body = response.get_data()
        response.set_etag(page_validator(body), weak=True)
        name_body(hashlib.blake2b(body, digest_size=16).hexdigest())
    # Always ask before reusing: the browser keeps the page, and the server answers 304 when it is current.
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _finish_response(response):
    if "Content-Encoding" in response.headers:
        # Compressed already (a page from web.page_cache's memory, with its validator): neither step has anything
        # to do but name Accept-Encoding in Vary, and a page served from memory would spend a tenth of its time
        # finding that out.
        vary_on(response, "Accept-Encoding")
        return response
    # In this order, in one step: a 304 is decided before any compressing work is done, and the body's name
    # is set before the compression cache asks for it.
    return compress.after_request(_validate_page(response))


def init_http_caching(app):
    """Give every HTML page a validator, answer repeat visits with 304 Not Modified, and compress responses
    (Flask-Compress, with its own hook turned off: this one calls it, after the validator)."""
    app.after_request(_finish_response)
