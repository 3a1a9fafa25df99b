"""The bulletin's one-page print for the commune's notice board (bảng tin): A4, large type, the date, each item's
title and a two-line summary, and a QR code to the bulletin's page; rendered by the site's PDF pipeline
(services.printing.render) into the PDF cache, once per bulletin as it reads."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from models import Bulletin
from services.infra.files import FileCache, RememberedFailure, cache_key
from services.printing.article_pdf import ArticlePdf, PrintSite
from services.printing.render import DEFAULT_RENDER_TIMEOUT, PdfRenderError, PdfRenderTimeout, render_pdf
from services.printing.qr import qr_code_svg
from services.bulletin.script import WEEKDAYS, bulletin_title
from services.speech.spoken_text import speakable_blocks

NOTICE_TEMPLATE = "bulletins/notice.html"
NOTICE_VERSION = "1"
# About two lines of the notice's type: a summary longer than this is cut at a word and ends with "…".
SUMMARY_CHARACTERS = {"large": 120, "medium": 135, "columns": 80}


def type_size(item_count: int) -> str:
    """The notice's type size for so many items (static/css/notice.css), so that all of them fit on one A4 page:
    large up to 4, medium up to 6, two columns of smaller type up to 12 (the most a bulletin holds)."""
    return "large" if item_count <= 4 else "medium" if item_count <= 6 else "columns"


def two_lines(text: str, characters: int) -> str:
    """text cut at a word to at most characters, ending with "…" when it was cut."""
    text = " ".join(text.split())
    if len(text) <= characters:
        return text
    cut = text[:characters].rsplit(" ", 1)[0].rstrip(",;:–-")
    return cut + "…"


def notice_context(bulletin: Bulletin, page_url: str, station: str) -> dict:
    """What the notice shows: the day, each item's title and two lines of its summary (its first paragraph when
    it has none), the QR code to page_url."""
    size = type_size(len(bulletin.items))
    items = []
    for item in bulletin.items:
        article = item.article
        summary = article.summary or next(iter(speakable_blocks("", article.body_html)[1:]), "")
        items.append({"title": article.title, "summary": two_lines(summary, SUMMARY_CHARACTERS[size])})
    day = bulletin.day
    return {
        "title": bulletin_title(day),
        "station": station,
        "weekday": WEEKDAYS[day.weekday()].capitalize(),
        "date": f"{day:%d/%m/%Y}",
        "items": items,
        "size": size,
        "page_url": page_url,
        "qr_code": qr_code_svg(page_url, f"Mã QR dẫn tới trang nghe bản tin ngày {day:%d/%m/%Y}"),
    }


class NoticePdfs:
    """Bulletins' notice-board prints in the PDF cache, keyed by everything they show."""

    def __init__(self, cache: FileCache, site: PrintSite, render_page: Callable[..., str],
                 design_fingerprints: Callable[[], Sequence[str]], stylesheet_url: str,
                 render_timeout: float = DEFAULT_RENDER_TIMEOUT, station: str = ""):
        self.cache = cache
        self.site = site
        self.render_page = render_page
        self.design_fingerprints = design_fingerprints
        self.stylesheet_url = stylesheet_url
        self.render_timeout = render_timeout
        self.station = station

    def html(self, bulletin: Bulletin, page_url: str, stylesheet_url: str | None = None) -> str:
        """The print document as the PDF renders it (or, with a stylesheet of the request's own, as a page)."""
        return self.render_page(stylesheet_url=stylesheet_url or self.stylesheet_url,
                                **notice_context(bulletin, page_url, self.station))

    def key(self, bulletin: Bulletin, page_url: str) -> str:
        """The cache key and ETag: every title and summary shown, the day, the page, and the design."""
        parts = [NOTICE_VERSION, bulletin.day.isoformat(), page_url, self.station, self.site.site_name,
                 *self.design_fingerprints()]
        for item in bulletin.items:
            parts += [item.article.title, item.article.content_hash]
        return cache_key("bulletin-notice", *parts)

    def cached(self, bulletin: Bulletin, page_url: str) -> Path | None:
        """The print if it is already made."""
        return self.cache.get(self.key(bulletin, page_url))

    def failure(self, bulletin: Bulletin, page_url: str) -> str | None:
        """Why rendering failed a short while ago, or None."""
        return self.cache.failure(self.key(bulletin, page_url))

    def get_or_render(self, bulletin: Bulletin, page_url: str) -> ArticlePdf:
        """The print from the cache, rendered (once, whoever else asks) if missing; PdfRenderError if it cannot be."""
        key = self.key(bulletin, page_url)
        if (path := self.cache.get(key)) is not None:
            return ArticlePdf(path, key)
        if (reason := self.cache.failure(key)) is not None:
            raise PdfRenderError(f"failed a short while ago: {reason}")
        html = self.html(bulletin, page_url)
        try:
            path = self.cache.get_or_create(key, lambda file: file.write(render_pdf(
                html, page_url, self.site.static_root, self.site.media_root,
                static_url_path=self.site.static_url_path, timeout=self.render_timeout,
                media_store=self.site.media_store,
            )))
        except TimeoutError as error:
            raise PdfRenderTimeout("another render of this print is taking too long") from error
        except PdfRenderError as error:
            self.cache.remember_failure(key, str(error) or type(error).__name__)
            raise
        return ArticlePdf(path, key)

    def wait_for(self, bulletin: Bulletin, page_url: str, seconds: float) -> ArticlePdf | None:
        """The print once some thread or process has rendered it, or None after seconds."""
        key = self.key(bulletin, page_url)
        try:
            found = self.cache.wait_for([key], seconds, failure_key=key)
        except RememberedFailure as error:
            raise PdfRenderError(str(error)) from error
        return None if found is None else ArticlePdf(found[1], key)
