"""Printing: an article's print view and its A4 PDF, rendered once per version and served from a cache.

PDFs are rendered by the job queue, never by the thread serving the request: a first request waits a few
seconds for the job (most PDFs take one or two), then answers "đang chuẩn bị" with a page that checks again.
HEAD never renders, and a failed render is remembered for a few minutes instead of tried on every request.
"""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request, url_for

from services.content.articles import get_published_article
from services.printing.article_pdf import print_context
from services.printing.render import PdfRenderError
from services.content.slugs import ascii_filename
from web.background import pdf_job
from services.statistics.counting import PDF
from web.cached_files import send_cached_file
from web.counting import count_download
from web import generation
from web.site_services import PRINT_STYLESHEET, PRINT_TEMPLATE, site_services
from web.urls import public_url

bp = Blueprint("printing", __name__)

# Short enough that an edit reaches readers within minutes; after that a conditional request costs a 304.
PDF_MAX_AGE = 300


@bp.get("/bai-viet/<slug>/in")
def print_view(slug):
    """The article alone, laid out for paper; the browser's own print gives a clean page."""
    article = get_published_article(slug)
    context = print_context(
        article,
        public_url("reading.article", slug=article.slug),
        current_app.config["SITE_NAME"],
        site_services().pdfs.zone,
        for_pdf=False,
    )
    return render_template(PRINT_TEMPLATE, stylesheet_url=url_for("static", filename=PRINT_STYLESHEET), **context)


def _pdf_failed(article):
    response = make_response(render_template("printing/pdf_error.html", article=article), 503)
    response.headers["Retry-After"] = "30"
    response.cache_control.no_store = True
    return response


def _preparing(article, head: bool = False):
    return generation.preparing_response(
        title="Đang chuẩn bị tệp PDF",
        message=f"Máy chủ đang tạo tệp PDF của bài “{article.title}”. Xin chờ vài giây.",
        file_url=url_for("printing.article_pdf", slug=article.slug),
        status_url=url_for("printing.pdf_status", slug=article.slug),
        head=head,
    )


@bp.get("/bai-viet/<slug>/in.pdf")
def article_pdf(slug):
    """The article as an accessible A4 PDF, named after its slug."""
    article = get_published_article(slug)
    pdfs = site_services().pdfs
    key = pdfs.key(article)
    if key in request.if_none_match:
        # The ETag says everything the PDF shows: no need to render or even read it.
        response = make_response("", 304)
        response.set_etag(key)
        response.cache_control.public = True
        response.cache_control.max_age = PDF_MAX_AGE
        return response
    if (path := pdfs.cached(article)) is None:
        if request.method == "HEAD":
            return _preparing(article, head=True)
        if pdfs.failure(article) is not None:
            return _pdf_failed(article)
        if (refused := generation.refusal_to_start(pdf_job(article))) is not None:
            return refused
        if (release := generation.take_waiting_slot()) is None:
            return _preparing(article)
        try:
            pdf = pdfs.wait_for(article, current_app.config["PDF_WAIT_SECONDS"])
        except PdfRenderError as error:
            current_app.logger.warning("PDF of article %s could not be rendered: %s", article.slug, error)
            return _pdf_failed(article)
        finally:
            release()
        if pdf is None:
            return _preparing(article)
        path = pdf.path
    return count_download(article.id, PDF, send_cached_file(
        path,
        mimetype="application/pdf",
        download_name=ascii_filename(article.slug, "pdf"),
        etag=key,
        max_age=PDF_MAX_AGE,
        conditional=True,
    ))


@bp.get("/bai-viet/<slug>/in.pdf/trang-thai")
def pdf_status(slug):
    """Whether the article's PDF is ready: the self-replacing status of the "đang chuẩn bị" page."""
    article = get_published_article(slug)
    pdfs = site_services().pdfs
    if pdfs.cached(article) is None:
        if pdfs.failure(article) is not None:
            return _pdf_failed(article)
        # Neither the file nor a live job (evicted before it was fetched, or its worker died): queue it again.
        if (refused := generation.refusal_to_start(pdf_job(article))) is not None:
            return refused
        return _preparing(article)
    return generation.ready_fragment(
        title="Tệp PDF đã sẵn sàng",
        file_url=url_for("printing.article_pdf", slug=slug),
        link_text="Tải tệp PDF (A4)",
    )
