"""Printing: an article's print view and its A4 PDF, rendered once per version and served from a cache."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import click
from flask import Blueprint, current_app, make_response, render_template, request, send_file, url_for

from models import Article
from services.article_pdf import (
    ArticlePdfs,
    PrintedPage,
    latest_printable_articles,
    prewarm_article_pdfs,
    print_context,
)
from services.articles import get_published_article
from services.assets import StaticFiles
from services.pdf import DEFAULT_RENDER_TIMEOUT, PdfCache, PdfRenderError
from services.slugs import ascii_filename
from web.assets import static_files
from web.urls import public_url

bp = Blueprint("printing", __name__, cli_group="pdf")

PRINT_TEMPLATE = "printing/article.html"
PRINT_STYLESHEET = "css/print.css"
# Short enough that an edit reaches readers within minutes; after that a conditional request costs a 304.
PDF_MAX_AGE = 300


@bp.get("/bai-viet/<slug>/in")
def print_view(slug):
    """The article alone, laid out for paper; the browser's own print gives a clean page."""
    article = get_published_article(slug)
    zone = _zone()
    context = print_context(
        article, _article_url(article), current_app.config["SITE_NAME"], dt.datetime.now(zone), zone, for_pdf=False
    )
    return render_template(PRINT_TEMPLATE, **context)


@bp.get("/bai-viet/<slug>/in.pdf")
def article_pdf(slug):
    """The article as an accessible A4 PDF, named after its slug."""
    article = get_published_article(slug)
    pdfs = _article_pdfs()
    now = dt.datetime.now(pdfs.zone)
    key = pdfs.key(article, now)
    if key in request.if_none_match:
        # The ETag says everything the PDF shows: no need to render or even read it.
        response = make_response("", 304)
        response.set_etag(key)
        response.cache_control.public = True
        response.cache_control.max_age = PDF_MAX_AGE
        return response
    try:
        pdf = pdfs.get_or_render(article, now, lambda: _page_for_pdf(article, now, pdfs.zone))
    except PdfRenderError:
        current_app.logger.exception("PDF of article %s could not be rendered", article.slug)
        response = make_response(render_template("printing/pdf_error.html", article=article), 503)
        response.headers["Retry-After"] = "30"
        return response
    return send_file(
        pdf.path,
        mimetype="application/pdf",
        download_name=ascii_filename(article.slug, "pdf"),
        etag=pdf.etag,
        max_age=PDF_MAX_AGE,
        conditional=True,
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _article_url(article: Article) -> str:
    return public_url("reading.article", slug=article.slug)


def _article_pdfs() -> ArticlePdfs:
    config = current_app.config
    return ArticlePdfs(
        PdfCache(config["PDF_CACHE_DIR"]),
        site_url=config["SITE_URL"],
        site_name=config["SITE_NAME"],
        zone=_zone(),
        design_fingerprints=_design_fingerprints(),
        static_root=current_app.static_folder,
        media_root=config["MEDIA_ROOT"],
        render_timeout=config.get("PDF_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT),
    )


def _design_fingerprints() -> tuple[str, str]:
    # The print template is fingerprinted like a static file (by content, read again only when it changes),
    # so an edited template or stylesheet makes new PDFs at once.
    templates = current_app.extensions.get("docbai.print_templates")
    if templates is None:
        template_folder = os.path.join(current_app.root_path, current_app.template_folder)
        templates = current_app.extensions["docbai.print_templates"] = StaticFiles(template_folder)
    return templates.fingerprint(PRINT_TEMPLATE) or "", static_files().fingerprint(PRINT_STYLESHEET) or ""


def _page_for_pdf(article: Article, printed_at: dt.datetime, zone: ZoneInfo) -> PrintedPage:
    # Rendered as if requested at the public address, so the PDF, its QR code and its cache key are the
    # same whether a reader or `flask pdf prewarm` asked for it, and the fetcher knows the site's origin.
    config = current_app.config
    with current_app.test_request_context(base_url=config["SITE_URL"]):
        context = print_context(article, _article_url(article), config["SITE_NAME"], printed_at, zone, for_pdf=True)
        return PrintedPage(
            html=render_template(PRINT_TEMPLATE, **context),
            url=url_for("printing.print_view", slug=article.slug, _external=True),
            static_url_path=url_for("static", filename=""),
        )


@bp.cli.command("prewarm")
@click.option("--latest", default=50, show_default=True, type=click.IntRange(1, 100_000),
              help="How many of the newest published articles.")
def prewarm_command(latest):
    """Render the PDFs of the newest published articles into the cache, so first readers wait for none."""
    pdfs = _article_pdfs()
    now = dt.datetime.now(pdfs.zone)
    articles = latest_printable_articles(latest)
    with click.progressbar(length=len(articles), label="Tạo tệp PDF", show_pos=True) as bar:
        report = prewarm_article_pdfs(
            pdfs, articles, now, lambda article: _page_for_pdf(article, now, pdfs.zone), progress=bar.update
        )
    click.echo(f"Đã tạo {report.made} tệp PDF, {report.already} tệp đã có sẵn, {len(report.failed)} lỗi.")
    for slug, reason in report.failed:
        click.echo(f"Lỗi khi tạo PDF cho {slug}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)


@bp.cli.command("prune")
@click.option("--days", default=2, show_default=True, type=click.IntRange(1, 3650),
              help="Delete cached PDFs rendered longer ago than this.")
def prune_command(days):
    """Delete old cached PDFs: each one prints its date, so none from an earlier day is served again."""
    deleted = PdfCache(current_app.config["PDF_CACHE_DIR"]).prune(older_than_seconds=days * 86400)
    click.echo(f"Đã xóa {deleted} tệp PDF cũ.")
