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
default): entries expire after that long even when no content changes (plus the few seconds a process
keeps its own copy of an entry).
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from flask import Response, current_app, has_app_context, make_response, request
from redis.exceptions import RedisError

from extensions import cache
from models import Article, Bulletin, BulletinItem, Category, Figure, Link, PhotoItem, Video
from services.content.articles import VIEW_COUNT_ONLY
from services.content.formatting import vietnamese_number
from services.infra.content_version import ContentChanges, ContentVersion
from services.infra.near_cache import NearCache
from web.assets import INLINE_STYLESHEETS, inline_script_sources, static_files
from web.htmx import wants_fragment
from web.http_caching import VOLATILE_TEXT, name_body, page_validator
from web.preferences import html_classes, saving_data
from web.site_services import site_services

CONTENT_MODELS = (Article, Category, Figure, PhotoItem, Video, Link, Bulletin, BulletinItem)
CACHEABLE_ARGS = frozenset({"trang"})
# The view count a cached article page is rendered with; each request writes the real count over it.
VIEWS_SENTINEL = 987_654_321


class PageCache:
    """The app's page cache: pages and small content-derived values under the content version, the copy each
    process keeps of what it read, and the design fingerprint every key carries."""

    def __init__(self, seconds: int, near: NearCache | None, design: str, content_version: ContentVersion):
        self.seconds = seconds  # 0: nothing is kept (the debug server)
        self.near = near
        self.design = design
        self.content_version = content_version

    def key(self) -> str | None:
        """This request's page key, or None when the page must not be cached."""
        if not self.seconds or set(request.args) - CACHEABLE_ARGS:
            return None
        # The inlined stylesheet and import map are followed while the server runs (their CSP hashes must match);
        # the rest of the design changes with a deploy, which restarts the server and so recomputes the design.
        inlined = "".join(static_files().fingerprint(name) or "" for name in INLINE_STYLESHEETS) + inline_script_sources()
        parts = (
            self.content_version.current(), self.design, inlined, request.path, request.args.get("trang", ""),
            "fragment" if wants_fragment() else "page", html_classes(), "saving" if saving_data() else "",
        )
        return "page:" + hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()

    def page(self, render: Callable[[], tuple[Response, dict]], views: Callable[[dict], int] | None = None) -> Response:
        """This request's page from the cache, or render() once and kept for the next readers.

        render gives the response of web.htmx.render_page_or_fragment and the small facts the view needs on
        later requests (an article's id); views(facts), if given, is the count written into the page's
        `data-volatile` text, which render() filled with VIEWS_SENTINEL."""
        try:
            key = self.key()
            entry = self._read(key) if key is not None else None
        except RedisError as error:
            # Readers still get their page while Redis is away, rendered as if there were no cache.
            current_app.logger.warning("Page cache unavailable: %s", error)
            key = entry = None
        if entry is None:
            rendered, facts = render()
            html = rendered.get_data(as_text=True)
            # Kept in pieces around the count's sentinel, so a request joins strings instead of searching the
            # page; the validator leaves the count out, so it is the same for every request of this entry.
            entry = (split_at_view_count(html), facts, page_validator(html.encode("utf-8")))
            if key is not None:
                try:
                    self._keep(key, entry)
                except RedisError as error:
                    current_app.logger.warning("Page not kept: %s", error)
        pieces, facts, validator = entry
        count = views(facts) if views is not None else None
        response = make_response(vietnamese_number(count).join(pieces) if count is not None else "".join(pieces))
        response.vary.add("HX-Request")
        response.set_etag(validator, weak=True)
        if key is not None:
            name_body(f"{key}:{count}")  # this exact body, for the compression cache, without hashing it
        return response

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


def page_cache() -> PageCache:
    """The current app's page cache."""
    return current_app.extensions["docbai_page_cache"]


def cached_page(render: Callable[[], tuple[Response, dict]], views: Callable[[dict], int] | None = None) -> Response:
    """This request's page from the app's page cache (see PageCache.page)."""
    return page_cache().page(render, views)


def cached_value(name: str, make: Callable[[], object]) -> object:
    """A small content-derived value from the app's page cache (see PageCache.value)."""
    return page_cache().value(name, make)


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
    )
    ContentChanges(
        CONTENT_MODELS, lambda: site_services().content_version if has_app_context() else None, VIEW_COUNT_ONLY
    ).listen()
