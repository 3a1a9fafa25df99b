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
import re
from collections.abc import Callable

from flask import Response, current_app, g, has_app_context, make_response, request
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import cache
from models import Article, Category, Figure, Link, PhotoItem, Video
from services.content.articles import VIEW_COUNT_ONLY
from services.content.formatting import vietnamese_number
from services.infra.near_cache import NearCache
from web.assets import INLINE_STYLESHEETS, static_files
from web.htmx import wants_fragment
from web.http_caching import page_validator
from web.preferences import html_classes, saving_data
from web.site_services import site_services

CONTENT_MODELS = (Article, Category, Figure, PhotoItem, Video, Link)
CACHEABLE_ARGS = frozenset({"trang"})
# The view count a cached article page is rendered with; each request writes the real count over it.
VIEWS_SENTINEL = 987_654_321
_VOLATILE_SPAN = re.compile(r"(<span\b[^>]*\bdata-volatile\b[^>]*>)([^<]*)(</span>)")
_CHANGED = "docbai_content_changed"


def page_key(version: str) -> str | None:
    """This request's page key under a content version, or None when the page must not be cached."""
    if not current_app.config["PAGE_CACHE_SECONDS"] or set(request.args) - CACHEABLE_ARGS:
        return None
    # The inlined stylesheet is followed while the server runs (its CSP hash must match); the rest of the
    # design changes with a deploy, which restarts the server and so recomputes docbai_design.
    stylesheets = "".join(static_files().fingerprint(name) or "" for name in INLINE_STYLESHEETS)
    parts = (
        version, current_app.extensions["docbai_design"], stylesheets, request.path, request.args.get("trang", ""),
        "fragment" if wants_fragment() else "page", html_classes(), "saving" if saving_data() else "",
    )
    return "page:" + hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def cached_page(
    render: Callable[[], tuple[Response, dict]], views: Callable[[dict], int] | None = None
) -> Response:
    """This request's page from the cache, or render() once and kept for the next readers.

    render gives the response of web.htmx.render_page_or_fragment and the small facts the view needs on
    later requests (an article's id); views(facts), if given, is the count written into the page's
    `data-volatile` text, which render() filled with VIEWS_SENTINEL."""
    try:
        key = page_key(site_services().content_version.current())
        entry = _read(key) if key is not None else None
    except RedisError as error:
        # Readers still get their page while Redis is away, rendered as if there were no cache.
        current_app.logger.warning("Page cache unavailable: %s", error)
        key = entry = None
    current_app.extensions["docbai_metrics"].page_cache_lookup(
        "bypass" if key is None else "miss" if entry is None else "hit"
    )
    if entry is None:
        rendered, facts = render()
        html = rendered.get_data(as_text=True)
        # Kept in pieces around the count's sentinel, so a request joins strings instead of searching the page;
        # the validator leaves the count out, so it is the same for every request of this entry.
        entry = (split_at_view_count(html), facts, page_validator(html.encode("utf-8")))
        if key is not None:
            try:
                _keep(key, entry)
            except RedisError as error:
                current_app.logger.warning("Page not kept: %s", error)
    pieces, facts, validator = entry
    count = views(facts) if views is not None else None
    response = make_response(vietnamese_number(count).join(pieces) if count is not None else "".join(pieces))
    response.vary.add("HX-Request")
    response.set_etag(validator, weak=True)
    if key is not None:
        g.body_digest = f"{key}:{count}"  # names this exact body for the compression cache
    return response


def cached_value(name: str, make: Callable[[], object]) -> object:
    """A small value derived from content (an article's id by its slug), kept until the content changes."""
    try:
        key = f"value:{site_services().content_version.current()}:{name}"
        value = _read(key)
        if value is None:
            value = make()
            if value is not None and current_app.config["PAGE_CACHE_SECONDS"]:
                _keep(key, value)
        return value
    except RedisError as error:
        current_app.logger.warning("Value cache unavailable: %s", error)
        return make()


def _read(key: str) -> object | None:
    # This process's copy first: a key holds the content version, so what is kept under it never changes, and
    # a copy can only outlive the cache's entry by its few seconds.
    near = current_app.extensions.get("docbai_near_pages")
    value = near.get(key) if near is not None else None
    if value is None:
        value = cache.get(key)
        if value is not None and near is not None:
            near.put(key, value)
    return value


def _keep(key: str, value: object) -> None:
    cache.set(key, value, timeout=current_app.config["PAGE_CACHE_SECONDS"])
    near = current_app.extensions.get("docbai_near_pages")
    if near is not None:
        near.put(key, value)


def split_at_view_count(html: str) -> tuple[str, ...]:
    """The page cut where its `data-volatile` text shows VIEWS_SENTINEL: the count goes between the pieces
    (a page without one is a single piece)."""
    match = _VOLATILE_SPAN.search(html)
    sentinel = vietnamese_number(VIEWS_SENTINEL)
    if match is None or sentinel not in match.group(2):
        return (html,)
    start = match.start(2) + match.group(2).index(sentinel)
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


def _note_content_changes(session, flush_context) -> None:
    if any(isinstance(item, CONTENT_MODELS) for item in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _note_bulk_changes(execute_state) -> None:
    # An UPDATE or DELETE statement on a content table changes content too, except the view counter's.
    if not (execute_state.is_update or execute_state.is_delete) or execute_state.execution_options.get(VIEW_COUNT_ONLY):
        return
    mapper = execute_state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, CONTENT_MODELS):
        execute_state.session.info[_CHANGED] = True


def _bump_after_commit(session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        site_services().content_version.bump()


def _forget_after_rollback(session) -> None:
    session.info.pop(_CHANGED, None)


def listen_for_content_changes() -> None:
    """Bump the current app's content version after every commit that changed content (once per process;
    the listener finds the app through its context, so every app of the process shares it)."""
    for name, listener in (("after_flush", _note_content_changes), ("do_orm_execute", _note_bulk_changes),
                           ("after_commit", _bump_after_commit), ("after_rollback", _forget_after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


class CompressedPages:
    """Flask-Compress's cache of compressed bodies, keyed by a digest of the whole body (set per response
    in g by web.http_caching): the same page is compressed once, not on every request. Bounded, in memory."""

    def __init__(self, max_entries: int = 256):
        self._bodies = NearCache(None, max_entries)

    def get(self, key: str) -> bytes | None:
        """The compressed body under key, if kept."""
        # Flask-Compress asks with "<encoding>;<compressed_body_key>": a page without a digest ends with ";".
        return None if key.endswith(";") else self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        """Keep a compressed body, dropping the least recently used beyond max_entries."""
        if not key.endswith(";"):
            self._bodies.put(key, value)


def compressed_body_key(_request) -> str:
    """Flask-Compress's cache key: the digest of the body about to be compressed, or "" (not kept)."""
    return g.get("body_digest", "")


def init_page_cache(app) -> None:
    """The page cache's backend from the configuration, and the listeners that keep it current."""
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
    if near_seconds > 0:
        app.extensions["docbai_near_pages"] = NearCache(near_seconds, config["PAGE_NEAR_CACHE_ENTRIES"])
    app.extensions["docbai_design"] = design_fingerprint(app)
    listen_for_content_changes()
