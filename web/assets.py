"""Static files that arrive once: content-fingerprinted URLs cached for a year, and the inlined stylesheet.

Every `url_for('static', filename=...)` gets `?v=<content hash>`. The hash goes in the query rather than
the file name so each file keeps its real path: relative url()s inside CSS and the PDF renderer, which
reads static files straight from disk, need nothing special. A URL whose hash matches the file on disk is
served as immutable; an outdated hash (a page cached before a deploy) still gets the file, revalidated.
"""
import re

from flask import current_app, request
from markupsafe import Markup

from services.infra.static_files import StaticFiles, csp_hash_source

# The screen stylesheet is small, so it goes inside the page: the first round trip then carries
# everything needed to render, with no second request for CSS on a slow link.
INLINE_STYLESHEETS = ("css/site.css",)
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
# Media stored by store_image() are named after their content (folder/<24 hex>.ext), so they never change.
CONTENT_NAMED_MEDIA = re.compile(r"^[\w-]+/[0-9a-f]{24}\.\w+$")


def static_files() -> StaticFiles:
    """The app's static files, fingerprinted by content."""
    return current_app.extensions["static_files"]


def inline_stylesheet() -> Markup:
    """The screen stylesheets' text, for one <style> element in the page head."""
    return Markup("".join(static_files().minified_css(name) for name in INLINE_STYLESHEETS))


def inline_style_sources() -> str:
    """CSP sources that allow the inlined stylesheet and nothing else inline."""
    return csp_hash_source(str(inline_stylesheet()))


def _fingerprint_static_urls(endpoint, values):
    if endpoint == "static" and "v" not in values:
        fingerprint = static_files().fingerprint(values.get("filename") or "")
        if fingerprint:
            values["v"] = fingerprint


def _long_lived_files(response):
    if response.status_code not in (200, 304) or not request.view_args:
        return response
    filename = request.view_args.get("filename") or ""
    if request.endpoint == "static":
        version = request.args.get("v")
        if version and version == static_files().fingerprint(filename):
            response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_assets(app):
    """Fingerprinted static URLs, year-long caching of files that cannot change, the inline stylesheet."""
    # An edited stylesheet is inlined within a second on a running server, at once under the debug server.
    app.extensions["static_files"] = StaticFiles(app.static_folder, app.config["STATIC_RECHECK_SECONDS"])
    app.url_defaults(_fingerprint_static_urls)
    app.after_request(_long_lived_files)
    app.add_template_global(inline_stylesheet)
