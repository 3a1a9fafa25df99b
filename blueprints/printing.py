"""Printing: an article's print view and its A4 PDF, rendered once per version and served from a cache."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, make_response, render_template, request, url_for

from services.articles import get_published_article
from services.printing.article_pdf import print_context
from services.printing.render import PdfRenderError
from services.slugs import ascii_filename
from web.cached_files import send_cached_file
from web.site_services import PRINT_STYLESHEET, PRINT_TEMPLATE, site_services
from web.urls import public_url

bp = Blueprint("printing", __name__)

# Short enough that an edit reaches readers within minutes; after that a conditional request costs a 304.
PDF_MAX_AGE = 300


@bp.get("/bai-viet/<slug>/in")
def print_view(slug):
    """The article alone, laid out for paper; the browser's own print gives a clean page."""
    article = get_published_article(slug)
    zone = site_services().pdfs.zone
    context = print_context(
        article,
        public_url("reading.article", slug=article.slug),
        current_app.config["SITE_NAME"],
        dt.datetime.now(zone),
        zone,
        for_pdf=False,
    )
    return render_template(PRINT_TEMPLATE, stylesheet_url=url_for("static", filename=PRINT_STYLESHEET), **context)


@bp.get("/bai-viet/<slug>/in.pdf")
def article_pdf(slug):
    """The article as an accessible A4 PDF, named after its slug."""
    article = get_published_article(slug)
    pdfs = site_services().pdfs
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
        pdf = pdfs.get_or_render(article, now)
    except PdfRenderError:
        current_app.logger.exception("PDF of article %s could not be rendered", article.slug)
        response = make_response(render_template("printing/pdf_error.html", article=article), 503)
        response.headers["Retry-After"] = "30"
        return response
    return send_cached_file(
        pdf.path,
        mimetype="application/pdf",
        download_name=ascii_filename(article.slug, "pdf"),
        etag=pdf.etag,
        max_age=PDF_MAX_AGE,
        conditional=True,
    )
