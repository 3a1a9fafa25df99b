"""Static files that arrive once: content-fingerprinted URLs cached for a year, the inlined stylesheet, and the
import map that gives the scripts' modules fingerprinted URLs too.

Every `url_for('static', filename=...)` gets `?v=<content hash>`. The hash goes in the query rather than
the file name so each file keeps its real path: relative url()s inside CSS and the PDF renderer, which
reads static files straight from disk, need nothing special. A URL whose hash matches the file on disk is
served as immutable; an outdated hash (a page cached before a deploy) still gets the file, revalidated.

The scripts are ES modules: an entry (js/player.js, js/site.js, js/offline.js), linked by url_for like any
static file, imports the modules of js/player/ and js/shared/ by plain relative paths, so the very same files
run in the browser and under `node --test`. A relative import resolves to the module's bare URL, without ?v=:
kept by a cache, it could be stale after a deploy (a new player.js running with the old locator.js); asked
again each time, it costs a round trip per module on every page. So every page carries an import map that
sends each module's bare URL to its fingerprinted one. Each module is then cached for a year under its own
content hash, and an edited module changes its own URL only: no hash of hashes through its importers, no
build step, and nothing rewritten while serving (nginx serves /static itself, so it would bypass that).
The map is inline JSON, which the CSP allows by its hash, like the inline stylesheet. A browser without
import maps (Safari before 16.4) asks for the bare URLs, which the app and nginx serve no-cache: always the
current file, for the price of a revalidation. <link rel="modulepreload"> in the page fetches the modules
with it, rather than each after the module that imports it.
"""
import json
import re
import time
from typing import NamedTuple

from flask import current_app, request, url_for
from flask.globals import request_ctx
from markupsafe import Markup

from services.infra.static_files import StaticFiles, csp_hash_source

# The screen stylesheet is small, so it goes inside the page: the first round trip then carries
# everything needed to render, with no second request for CSS on a slow link.
INLINE_STYLESHEETS = ("css/site.css",)
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
# The folders of the modules that scripts import (see above); the entries stay directly in js/.
MODULE_FOLDERS = ("js/player", "js/shared", "js/bulletin")
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
    # The minified text itself, not a Markup copy of it: the hash of a string is kept with the string, so the
    # cached source is found without hashing the stylesheet again on every response.
    return csp_hash_source("".join(static_files().minified_css(name) for name in INLINE_STYLESHEETS))


class _ImportMap(NamedTuple):
    key: tuple
    script_root: str
    checked: float  # time.monotonic() when the modules were last looked at
    text: Markup


def module_names(folder: str | None = None) -> tuple[str, ...]:
    """The static names of the importable modules, of one folder of MODULE_FOLDERS or of them all."""
    folders = MODULE_FOLDERS if folder is None else (folder,)
    return tuple(name for each in folders for name in static_files().names(each, ".js"))


def import_map() -> Markup:
    """The page's import map: each module's bare URL, where a relative import leads, to its fingerprinted URL."""
    # Asked for by every response's CSP header, so kept: the modules are looked at again at most every
    # recheck_seconds, like the files themselves, and the map made again only when one of them changed.
    files = static_files()
    now = time.monotonic()
    made = current_app.extensions.get("docbai_import_map")
    if made is not None and made.script_root == request.script_root and now - made.checked < files.recheck_seconds:
        return made.text
    key = (request.script_root, tuple((name, files.fingerprint(name)) for name in module_names()))
    if made is None or made.key != key:
        imports = {}
        for name, _ in key[1]:
            url = url_for("static", filename=name)
            imports[url.partition("?")[0]] = url
        # "<" is escaped so that no file name can close the <script> element the map is written in.
        text = Markup(json.dumps({"imports": imports}, separators=(",", ":")).replace("<", "\\u003c"))
    else:
        text = made.text
    current_app.extensions["docbai_import_map"] = _ImportMap(key, request.script_root, now, text)
    return text


def inline_script_sources() -> str:
    """CSP sources that allow the import map and nothing else inline."""
    if request_ctx.url_adapter is None:
        # The request's Host was refused: its plain error page has no map, and no URL can be built for one.
        return ""
    return csp_hash_source(import_map())  # the map kept by import_map, whose hash is kept with it


def module_preloads(folder: str) -> list[str]:
    """Fingerprinted URLs of a folder's modules, for <link rel="modulepreload">: fetched with the page, in
    parallel, rather than one import after another on a slow link. Built once per set of fingerprints: every
    page lists them, and building a dozen URLs cost a page rendered anew a tenth of its time."""
    files = static_files()
    key = (request.script_root, folder, tuple((name, files.fingerprint(name)) for name in module_names(folder)))
    built = current_app.extensions.setdefault("docbai_module_preloads", {})
    urls = built.get(key)
    if urls is None:
        if len(built) > 64:  # fingerprints change with a deploy or an edited file: old sets are never asked again
            built.clear()
        urls = built[key] = [url_for("static", filename=name) for name, _ in key[2]]
    return urls


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
    """Fingerprinted static URLs, year-long caching of files that cannot change, the inline stylesheet and the
    import map."""
    # An edited stylesheet is inlined within a second on a running server, at once under the debug server.
    app.extensions["static_files"] = StaticFiles(app.static_folder, app.config["STATIC_RECHECK_SECONDS"])
    app.url_defaults(_fingerprint_static_urls)
    app.after_request(_long_lived_files)
    app.add_template_global(inline_stylesheet)
    app.add_template_global(import_map)
    app.add_template_global(module_preloads)
