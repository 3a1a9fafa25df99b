"""The site's services, made once per app by the factory and found by the views through one accessor."""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, render_template

from services.files import FileCache
from services.printing.article_pdf import PDF_SUFFIX, ArticlePdfs, PrintSite
from services.printing.render import DEFAULT_RENDER_TIMEOUT
from services.speech import narrator_for
from services.speech.article_audio import ArticleSpeech
from services.speech.lexicon import EditorLexicon
from services.static_files import StaticFiles
from web.assets import static_files
from web.background import BackgroundWork
from web.urls import public_url

PRINT_TEMPLATE = "printing/article.html"
PRINT_STYLESHEET = "css/print.css"


@dataclass(frozen=True)
class SiteServices:
    """Long-lived objects one app shares across requests and threads."""

    speech: ArticleSpeech
    pdfs: ArticlePdfs
    background: BackgroundWork


def site_services() -> SiteServices:
    """The current app's services."""
    return current_app.extensions["docbai"]


def init_site_services(app) -> None:
    """Make the app's narrator, lexicon, PDF cache and background runner from its configuration."""
    config = app.config
    speech = ArticleSpeech(
        narrator_for(config["TTS_ENGINE"], config["AUDIO_CACHE_DIR"], config["VOICES_DIR"]),
        EditorLexicon(config["ABBREVIATIONS_FILE"]),
    )
    app.extensions["docbai"] = SiteServices(
        speech=speech,
        pdfs=_article_pdfs(app),
        background=BackgroundWork(app, os.path.join(app.instance_path, "locks")),
    )


def _article_pdfs(app) -> ArticlePdfs:
    config = app.config
    render_timeout = config.get("PDF_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT)
    site_path = urlsplit(config["SITE_URL"]).path.rstrip("/")
    static_url_path = f"{site_path}{app.static_url_path}/"
    site = PrintSite(
        site_url=config["SITE_URL"],
        site_name=config["SITE_NAME"],
        zone=ZoneInfo(config["TIMEZONE"]),
        static_root=app.static_folder,
        media_root=config["MEDIA_ROOT"],
        static_url_path=static_url_path,
        article_url=lambda article: public_url("reading.article", slug=article.slug),
        print_view_url=lambda article: public_url("printing.print_view", slug=article.slug),
        stylesheet_url=config["SITE_URL"].rstrip("/") + app.static_url_path + "/" + PRINT_STYLESHEET,
    )
    # The print template is fingerprinted like a static file (by content, read again only when it changes),
    # so an edited template or stylesheet makes new PDFs at once.
    templates = StaticFiles(os.path.join(app.root_path, app.template_folder))

    def design_fingerprints() -> tuple[str, str]:
        return templates.fingerprint(PRINT_TEMPLATE) or "", static_files().fingerprint(PRINT_STYLESHEET) or ""

    return ArticlePdfs(
        FileCache(config["PDF_CACHE_DIR"], PDF_SUFFIX, render_timeout),
        site,
        lambda **context: render_template(PRINT_TEMPLATE, **context),
        design_fingerprints,
        render_timeout,
    )
