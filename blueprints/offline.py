"""Offline reading: the service worker at the site's root, and the page that lists what the browser kept.

The worker itself is plain JavaScript in static/js/sw.js. It is served from the root, so that its scope is
the whole site, behind one generated line that names the fingerprinted files to keep and the routes it
must recognise: when a stylesheet, a script or a route changes, the worker's bytes change too, the browser
installs it, and the new version's cache replaces the old one.
"""
import hashlib
import json

from flask import Blueprint, current_app, render_template, url_for

from web.assets import module_names, static_files
from web.route_patterns import path_pattern

bp = Blueprint("offline", __name__)

# Kept by the worker at install: what an article page loads besides its own HTML and images (and the modules
# the scripts import, listed from their folders).
PRECACHED_STATIC_FILES = ("vendor/htmx/htmx-2.0.11.min.js", "js/site.js", "js/offline.js", "js/player.js",
                          "css/player.css", "js/bulletin.js")
KEPT_ARTICLES = 30
# What the worker must recognise by path, offline too: the endpoints behind each of its names.
WORKER_ROUTES = {
    # A day's bulletin page is kept like an article when opened (its MP3 is not: it plays online).
    "article": ("reading.article", "bulletins.bulletin"),
    "audio": ("listening.article_audio",),
    "manifest": ("listening.manifest",),
    "media": ("reading.media", "images.variant"),
    "static": ("static",),
}
# The list pages, which need the network: the offline page says so when it stands in for one of them.
LIST_ENDPOINTS = ("reading.index", "reading.category", "finding.search", "reading.photos", "reading.videos",
                  "bulletins.index")


def saved_list_path() -> str:
    """Where the worker keeps its list of kept articles; only the worker answers it, from the reader's browser."""
    return url_for("offline.saved") + "/da-luu.json"


def worker_settings() -> dict:
    """What the worker is told about this version of the site: files to keep, the offline page, the routes it
    tells apart (regular expressions from the url_map), its limits."""
    precache = [url_for("static", filename=name) for name in PRECACHED_STATIC_FILES + module_names()]
    offline_page = url_for("offline.saved")
    version = hashlib.blake2b("\n".join(precache + [offline_page]).encode(), digest_size=6).hexdigest()
    routes = {name: path_pattern(*endpoints) for name, endpoints in WORKER_ROUTES.items()}
    # The newsroom's pages (staff only, never cached) are left to the network, whatever they are.
    return {"version": version, "precache": precache, "offlinePage": offline_page,
            "savedList": saved_list_path(), "keptArticles": KEPT_ARTICLES, "routes": routes,
            "newsroom": url_for("newsroom.articles")}


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so that it can serve every page; never kept stale by a cache."""
    source = static_files().text("js/sw.js")  # read once, again only when the file changes
    settings = json.dumps(worker_settings(), ensure_ascii=False)
    response = current_app.response_class(f"var DOCBAI = {settings};\n{source}", mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.get("/ngoai-tuyen")
def saved():
    """The articles this browser keeps for reading offline; also what the worker shows for a page it lacks."""
    return render_template("offline/saved.html", saved_list=saved_list_path(), kept_articles=KEPT_ARTICLES,
                           list_pattern=path_pattern(*LIST_ENDPOINTS))
