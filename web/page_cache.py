"""Rendered reading pages kept in the cache (Flask-Caching: Redis when REDIS_URL is set, this process's memory
otherwise), so a surge of readers costs a cache read instead of eleven SQL statements and a template render.

A page is keyed by the content version (services.infra.content_version: every import or edit of an article,
category, figure, photo, video or link replaces it; other processes and hosts see it within half a second),
by the site's design (a hash of the templates and static files, so a deploy never serves old markup with a
new stylesheet), by its path and page number, fragment or whole page, and by the reader's preferences as
they shape the markup (the classes of <html> and the data saver) — so one reader's preferences never show
in another reader's page.
What changes on every request is not cached: the view count (the `data-volatile` text, filled in on each
request) and anything outside the page body (headers, ETag, compression). Pages with query parameters
other than the page number are rendered each time, so made-up URLs cannot fill the cache.

Articles scheduled for later appear when their time comes within PAGE_CACHE_SECONDS (a minute by
default): entries expire after that long even when no content changes, and every process's copy of an
entry, or of a body made from it, expires with it. Parts every page shares (PageCache.shared) are made
once per content version in each process, and again when a scheduled article's time comes.
"""
from __future__ import annotations

import hashlib
import os
import time
import zlib
from collections.abc import Callable

from flask import Response, current_app, has_app_context, make_response, request
from redis.exceptions import RedisError
from werkzeug.http import quote_etag

from extensions import cache
from models import Article, Bulletin, BulletinItem, Category, Figure, Link, PhotoItem, Video
from services.content import articles
from services.content.articles import VIEW_COUNT_ONLY
from services.content.formatting import vietnamese_number
from services.infra.content_version import ContentChanges, ContentVersion
from services.infra.near_cache import NearCache
from web.assets import INLINE_STYLESHEETS, inline_script_sources, static_files
from web.htmx import wants_fragment
from web.http_caching import VOLATILE_TEXT, chosen_encoding, compressed, name_body, page_validator, vary_on
from web.preferences import html_classes, saving_data
from web.site_services import site_services

CONTENT_MODELS = (Article, Category, Figure, PhotoItem, Video, Link, Bulletin, BulletinItem)
CACHEABLE_ARGS = frozenset({"trang"})
SHARED_PART_ENTRIES = 64  # a few parts (times the reader's data-saver choice) for the current content version
# The view count a cached article page is rendered with; each request writes the real count over it.
VIEWS_SENTINEL = 987_654_321


class PageCache:
    """The app's page cache: pages and small content-derived values under the content version, the copy each
    process keeps of what it read, and the design fingerprint every key carries.

    A page asked for again is answered from this process's memory without touching its HTML: the entry's
    facts and validator (heads) and the page compressed as this reader's browser takes it, with the count
    filled in (bodies). Only a new count, a new encoding or a new entry joins the HTML and compresses it; on a
    site whose readers spread over hundreds of pages, compressing every request cost more than everything
    else a cached page does."""

    def __init__(
        self, seconds: int, near: NearCache | None, design: str, content_version: ContentVersion,
        body_entries: int = 1024,
    ):
        self.seconds = seconds  # 0: nothing is kept (the debug server)
        self.near = near
        self.design = design
        self.content_version = content_version
        self.clock = time.time  # wall time: an entry's expiry is the same moment in every process and host
        self.heads = NearCache(None, 4 * body_entries)  # page key: (facts, validator, kept until)
        self.bodies = NearCache(None, body_entries)  # (page key, count, encoding): the body as sent
        self.shared_parts = NearCache(None, SHARED_PART_ENTRIES)  # (content version, name): (value, valid until)

    def key(self) -> tuple | None:
        """This request's page key, or None when the page must not be cached: a tuple, the key of this process's
        copies; shared_name() is its name in the shared cache."""
        if not self.seconds or set(request.args) - CACHEABLE_ARGS:
            return None
        # The inlined stylesheet and import map are followed while the server runs (their CSP hashes must match);
        # the rest of the design changes with a deploy, which restarts the server and so recomputes the design.
        inlined = "".join(static_files().fingerprint(name) or "" for name in INLINE_STYLESHEETS) + inline_script_sources()
        return (
            self.content_version.current(), self.design, inlined, request.path, request.args.get("trang", ""),
            "fragment" if wants_fragment() else "page", html_classes(), "saving" if saving_data() else "",
        )

    @staticmethod
    def shared_name(key: tuple) -> str:
        """The page key's name in the shared cache (Redis), hashed only when this process has no copy of it."""
        return "page:" + hashlib.blake2b("\x1f".join(key).encode("utf-8"), digest_size=16).hexdigest()

    def page(self, render: Callable[[], tuple[Response, dict]], views: Callable[[dict], int] | None = None) -> Response:
        """This request's page from the cache, or render() once and kept for the next readers.

        render gives the response of web.htmx.render_page_or_fragment and the small facts the view needs on
        later requests (an article's id); views(facts), if given, is the count written into the page's
        `data-volatile` text, which render() filled with VIEWS_SENTINEL."""
        try:
            key = self.key()
        except RedisError as error:
            # Readers still get their page while Redis is away, rendered as if there were no cache.
            current_app.logger.warning("Page cache unavailable: %s", error)
            key = None
        metrics = current_app.extensions["docbai_metrics"]
        if key is None:
            metrics.page_cache_lookup("bypass")
            entry = self._rendered(render)
            return self._uncached_response(entry, views)
        head = self.heads.get(key)
        entry = None
        if head is None or head[2] <= self.clock():
            entry = self._entry(key, render, metrics)
            head = (entry[1], entry[2], entry[3])
            self.heads.put(key, head)
        else:
            metrics.page_cache_lookup("hit")
        facts, validator, kept_until = head
        if request.if_none_match.contains_weak(validator):
            return self._not_modified(validator)
        count = views(facts) if views is not None else None
        encoding = chosen_encoding()
        body = self.bodies.get((key, count, encoding))
        if body is None or body[1] != kept_until:
            entry = entry or self._entry(key, render, metrics)
            body = (compressed(_with_count(entry[0], count), encoding), kept_until)
            self.bodies.put((key, count, encoding), body)
        return self._page_response(body[0], encoding, validator)

    def _entry(self, key: tuple, render, metrics) -> tuple:
        """The entry under key, from this process, the shared cache or a render (kept for the next readers)."""
        key = self.shared_name(key)
        try:
            entry = self._read(key)
        except RedisError as error:
            current_app.logger.warning("Page cache unavailable: %s", error)
            entry = None
        if entry is not None and entry[3] > self.clock():
            metrics.page_cache_lookup("hit")
            return entry
        metrics.page_cache_lookup("miss")
        pieces, facts, validator, kept_until = self._rendered(render)
        entry = (_packed(pieces), facts, validator, kept_until)
        try:
            self._keep(key, entry)
        except RedisError as error:
            current_app.logger.warning("Page not kept: %s", error)
        return entry

    def _rendered(self, render) -> tuple:
        """A new entry: the page in pieces around its count, its facts, its validator, the time it is kept until."""
        rendered, facts = render()
        html = rendered.get_data(as_text=True)
        # Kept in pieces around the count's sentinel, so a request joins strings instead of searching the page;
        # the validator leaves the count out, so it is the same for every request of this entry. The time it is
        # kept until travels with it: every process's copy of it expires then too.
        return split_at_view_count(html), facts, page_validator(html.encode("utf-8")), self.clock() + self.seconds

    @staticmethod
    def _uncached_response(entry: tuple, views) -> Response:
        pieces, facts, validator, _ = entry
        count = views(facts) if views is not None else None
        html = vietnamese_number(count).join(pieces) if count is not None else "".join(pieces)
        response = make_response(html)
        vary_on(response, "HX-Request")
        response.set_etag(validator, weak=True)
        # The same page rendered again is the same body: web.http_caching compresses it once.
        name_body(hashlib.blake2b(html.encode("utf-8"), digest_size=16).hexdigest())
        return response

    @staticmethod
    def _page_response(body: bytes, encoding: str | None, validator: str) -> Response:
        # Headers written as they are: the response is new, and werkzeug's vary, etag and cache_control properties
        # each parse a header and write it back, which a page served from memory at thousands a second notices.
        response = current_app.response_class(body, mimetype="text/html", headers=_page_headers(validator))
        if encoding is not None:
            # Already compressed: web.http_caching's step leaves a response with an encoding as it is.
            response.headers["Content-Encoding"] = encoding
        return response

    @staticmethod
    def _not_modified(validator: str) -> Response:
        return current_app.response_class(status=304, headers=_page_headers(validator))

    def value(self, name: str, make: Callable[[], object]) -> object:
        """A small value derived from content (an article's id by its slug), kept until the content changes."""
        try:
            key = f"value:{self.content_version.current()}:{name}"
            value = self._read(key)
            if value is None:
                value = make()
                if value is not None and self.seconds:
                    self._keep(key, value)
            return value
        except RedisError as error:
            current_app.logger.warning("Value cache unavailable: %s", error)
            return make()

    def shared(self, name: str, make: Callable[[], tuple[object, float | None]]) -> object:
        """A part every page shares (the sidebars, the newest articles, how many are published), made once per
        content version in this process, with or without the page cache: rendering every page (a crawler, a
        cache turned off, a regional news day spread over hundreds of articles) then costs only what is the
        page's own. make() gives the value and the wall time it holds until (None: until the content changes),
        for values that also change with time, such as an article whose publication time comes (told by the clock
        of the one gate to readers, services.content.articles.published_articles)."""
        try:
            key = (self.content_version.current(), self.design, name)
        except RedisError as error:
            current_app.logger.warning("Content version unavailable: %s", error)
            return make()[0]
        kept = self.shared_parts.get(key)
        if kept is None or (kept[1] is not None and kept[1] <= articles.utc_now().timestamp()):
            kept = make()
            self.shared_parts.put(key, kept)
        return kept[0]

    def _read(self, key: str) -> object | None:
        # This process's copy first: a key holds the content version, so what is kept under it never changes,
        # and a copy can only outlive the cache's entry by its few seconds.
        value = self.near.get(key) if self.near is not None else None
        if value is None:
            value = cache.get(key)
            if value is not None and self.near is not None:
                self.near.put(key, value)
        return value

    def _keep(self, key: str, value: object) -> None:
        cache.set(key, value, timeout=self.seconds)
        if self.near is not None:
            self.near.put(key, value)


def _page_headers(validator: str) -> list[tuple[str, str]]:
    """A cached page's own headers: it differs by htmx and by compression, and browsers ask again each time (a 304
    when their copy is current)."""
    return [("Vary", "HX-Request, Accept-Encoding"), ("ETag", quote_etag(validator, weak=True)),
            ("Cache-Control", "no-cache")]


def page_cache() -> PageCache:
    """The current app's page cache."""
    return current_app.extensions["docbai_page_cache"]


def cached_page(render: Callable[[], tuple[Response, dict]], views: Callable[[dict], int] | None = None) -> Response:
    """This request's page from the app's page cache (see PageCache.page)."""
    return page_cache().page(render, views)


def shared_part(name: str, make: Callable[[], tuple[object, float | None]]) -> object:
    """A part shared by many pages, made once per content version in this process (see PageCache.shared)."""
    return page_cache().shared(name, make)


def cached_value(name: str, make: Callable[[], object]) -> object:
    """A small content-derived value from the app's page cache (see PageCache.value)."""
    return page_cache().value(name, make)


def _packed(pieces: tuple[str, ...]) -> tuple[bytes, tuple[int, ...]]:
    # Kept compressed (zlib's fastest level: a tenth of a millisecond for a page): an article page is some
    # 40 KB of text, 80 KB as a Python string, 8 KB this way, and every process holds hundreds of them. They are
    # opened only to make a body (web.page_cache.PageCache.bodies keeps what is sent).
    encoded = [piece.encode("utf-8") for piece in pieces]
    return zlib.compress(b"".join(encoded), 1), tuple(len(piece) for piece in encoded)


def _with_count(packed: tuple[bytes, tuple[int, ...]], count: int | None) -> bytes:
    """The page's HTML (UTF-8) from a packed entry, with the view count between its pieces."""
    data, lengths = packed
    html = zlib.decompress(data)
    if count is None or len(lengths) == 1:
        return html
    return vietnamese_number(count).encode("utf-8").join((html[:lengths[0]], html[lengths[0]:]))


def split_at_view_count(html: str) -> tuple[str, ...]:
    """The page cut where its `data-volatile` text shows VIEWS_SENTINEL: the count goes between the pieces
    (a page without one is a single piece)."""
    match = VOLATILE_TEXT.search(html)
    sentinel = vietnamese_number(VIEWS_SENTINEL)
    if match is None or sentinel not in match.group("text"):
        return (html,)
    start = match.start("text") + match.group("text").index(sentinel)
    return html[:start], html[start + len(sentinel):]


def design_fingerprint(app) -> str:
    """A hash of the templates and static files this process serves (what a deploy changes)."""
    digest = hashlib.blake2b(digest_size=8)
    for root in (os.path.join(app.root_path, app.template_folder), app.static_folder):
        for folder, folders, files in sorted(os.walk(root)):
            folders.sort()
            for name in sorted(files):
                with open(os.path.join(folder, name), "rb") as file:
                    digest.update(name.encode() + file.read())
    return digest.hexdigest()


def init_page_cache(app) -> None:
    """The page cache's backend from the configuration, and the listener that keeps it current."""
    config = app.config
    redis = app.extensions["docbai"].redis  # made by init_site_services, which runs first
    if redis is not None:
        config.setdefault("CACHE_TYPE", "RedisCache")
        config.setdefault("CACHE_REDIS_HOST", redis)  # the site's client: one connection pool, its timeouts
    else:
        config.setdefault("CACHE_TYPE", "SimpleCache")
        config.setdefault("CACHE_THRESHOLD", 1000)
    config.setdefault("CACHE_KEY_PREFIX", "docbai:")
    config.setdefault("CACHE_DEFAULT_TIMEOUT", config["PAGE_CACHE_SECONDS"])
    cache.init_app(app)
    # Each process also keeps the pages and values it read for a few seconds, as they are (services.infra.near_cache):
    # with Redis that saves a round trip, without it an unpickling (Flask-Caching's SimpleCache pickles every
    # value). At most PAGE_NEAR_CACHE_ENTRIES of them; an article page is about 40 KB.
    near_seconds = min(config["PAGE_NEAR_CACHE_SECONDS"], config["PAGE_CACHE_SECONDS"])
    services = app.extensions["docbai"]
    app.extensions["docbai_page_cache"] = PageCache(
        config["PAGE_CACHE_SECONDS"],
        NearCache(near_seconds, config["PAGE_NEAR_CACHE_ENTRIES"]) if near_seconds > 0 else None,
        design_fingerprint(app),
        services.content_version,
        config["PAGE_BODY_CACHE_ENTRIES"],
    )
    ContentChanges(
        CONTENT_MODELS, lambda: site_services().content_version if has_app_context() else None, VIEW_COUNT_ONLY
    ).listen()
