"""Printing: an article's print view and its A4 PDF, rendered once per version and served from a cache."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from babel.dates import format_date, format_datetime
from flask import Blueprint, current_app, make_response, render_template, request, send_file, url_for
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from web.urls import public_url
from extensions import db
from models import Article
from services.articles import get_published_article, published_articles
from services.pdf import DEFAULT_RENDER_TIMEOUT, PdfCache, PdfRenderError, pdf_cache_key, render_pdf
from services.print_body import printable_body
from services.qr import qr_code_svg
from services.slugs import ascii_filename

bp = Blueprint("printing", __name__, cli_group="pdf")

PRINT_TEMPLATE = "printing/article.html"
PRINT_STYLESHEET = "css/print.css"
# Short enough that an edit reaches readers within minutes; after that a conditional request costs a 304.
PDF_MAX_AGE = 300


@dataclass(frozen=True)
class ArticlePdf:
    path: Path
    etag: str


@bp.get("/bai-viet/<slug>/in")
def print_view(slug):
    """The article alone, laid out for paper; the browser's own print gives a clean page."""
    article = get_published_article(slug)
    return render_template(PRINT_TEMPLATE, **_document_context(article, _today(), for_pdf=False))


@bp.get("/bai-viet/<slug>/in.pdf")
def article_pdf(slug):
    """The article as an accessible A4 PDF, named after its slug."""
    article = get_published_article(slug)
    today = _today()
    key = article_pdf_key(article, today)
    if key in request.if_none_match:
        # The ETag says everything the PDF shows: no need to render or even read it.
        response = make_response("", 304)
        response.set_etag(key)
        response.cache_control.public = True
        response.cache_control.max_age = PDF_MAX_AGE
        return response
    try:
        pdf = cached_article_pdf(article, today)
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


def cached_article_pdf(article: Article, today: dt.date | None = None) -> ArticlePdf:
    """The article's PDF from the cache, rendered (once, whoever else asks at the same time) if missing."""
    today = today or _today()
    key = article_pdf_key(article, today)
    path = _pdf_cache().get_or_render(key, lambda: _render_article_pdf(article, today))
    return ArticlePdf(path, key)


def article_pdf_key(article: Article, today: dt.date) -> str:
    """The cache key and ETag: the article's content, the print template and styles, and all else printed."""
    config = current_app.config
    template_path = Path(current_app.root_path, current_app.template_folder, PRINT_TEMPLATE)
    stylesheet_path = Path(current_app.static_folder, PRINT_STYLESHEET)
    return pdf_cache_key(
        article.content_hash,
        _file_fingerprint(template_path),
        _file_fingerprint(stylesheet_path),
        config["SITE_URL"],
        config["SITE_NAME"],
        article.category.name if article.category else "",
        today.isoformat(),
    )


def _render_article_pdf(article: Article, today: dt.date) -> bytes:
    # Rendered as if requested at the public address, so the PDF, its QR code and its cache key are the
    # same whether a reader or `flask pdf prewarm` asked for it, and the fetcher knows the site's origin.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        html = render_template(PRINT_TEMPLATE, **_document_context(article, today, for_pdf=True))
        base_url = url_for("printing.print_view", slug=article.slug, _external=True)
        static_url_path = url_for("static", filename="")
    return render_pdf(
        html,
        base_url,
        current_app.static_folder,
        current_app.config["MEDIA_ROOT"],
        static_url_path=static_url_path,
        timeout=current_app.config.get("PDF_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT),
    )


def _document_context(article: Article, today: dt.date, for_pdf: bool) -> dict:
    config = current_app.config
    article_url = public_url("reading.article", slug=article.slug)
    body = printable_body(article.body_html, article_url)
    return {
        "article": article,
        "article_url": article_url,
        "body": Markup(body.html),
        "links": body.links,
        "qr_code": qr_code_svg(article_url, f"Mã QR dẫn tới bài viết trên {config['SITE_NAME']}"),
        "published": format_datetime(article.published_at, "HH:mm 'ngày' dd/MM/yyyy", tzinfo=_zone(), locale="vi"),
        "printed_on": format_date(today, "dd/MM/yyyy", locale="vi"),
        "for_pdf": for_pdf,
    }


def _pdf_cache() -> PdfCache:
    return PdfCache(current_app.config["PDF_CACHE_DIR"])


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _today() -> dt.date:
    return dt.datetime.now(_zone()).date()


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return _file_digest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    # Keyed by modification time as well, so an edited template or stylesheet makes new PDFs at once.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


@bp.cli.command("prewarm")
@click.option("--latest", default=50, show_default=True, type=click.IntRange(1, 100_000),
              help="How many of the newest published articles.")
def prewarm_command(latest):
    """Render the PDFs of the newest published articles into the cache, so first readers wait for none."""
    statement = published_articles().limit(latest).options(selectinload(Article.category))
    articles = db.session.execute(statement).scalars().all()
    cache, today = _pdf_cache(), _today()
    already, failures = 0, []
    with click.progressbar(articles, label="Tạo tệp PDF", show_pos=True) as bar:
        for article in bar:
            if cache.get(article_pdf_key(article, today)):
                already += 1
                continue
            try:
                cached_article_pdf(article, today)
            except PdfRenderError as error:
                failures.append((article.slug, error))
    click.echo(f"Đã tạo {len(articles) - already - len(failures)} tệp PDF, {already} tệp đã có sẵn, "
               f"{len(failures)} lỗi.")
    for slug, error in failures:
        click.echo(f"Lỗi khi tạo PDF cho {slug}: {error}", err=True)
    if failures:
        raise SystemExit(1)


@bp.cli.command("prune")
@click.option("--days", default=2, show_default=True, type=click.IntRange(1, 3650),
              help="Delete cached PDFs rendered longer ago than this.")
def prune_command(days):
    """Delete old cached PDFs: each one prints its date, so none from an earlier day is served again."""
    deleted = _pdf_cache().prune(older_than_seconds=days * 86400)
    click.echo(f"Đã xóa {deleted} tệp PDF cũ.")
