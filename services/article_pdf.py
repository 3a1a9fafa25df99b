"""An article's PDF: what the print document shows, its cache key, rendering it once, and rendering ahead of time."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy.orm import selectinload

from extensions import db
from models import Article
from services.articles import published_articles
from services.formatting import vietnamese_date, vietnamese_time_then_date
from services.pdf import DEFAULT_RENDER_TIMEOUT, PdfCache, PdfRenderError, pdf_cache_key, render_pdf
from services.print_body import printable_body
from services.qr import qr_code_svg


@dataclass(frozen=True)
class ArticlePdf:
    """A cached PDF and its ETag (the cache key)."""

    path: Path
    etag: str


@dataclass(frozen=True)
class PrintedPage:
    """The print view as rendered for a PDF, and where it stands on the public site."""

    html: str
    url: str
    static_url_path: str = "/static/"


def print_context(
    article: Article, article_url: str, site_name: str, printed_at: dt.datetime, zone: ZoneInfo, *, for_pdf: bool
) -> dict:
    """What the print template shows of an article: its body with numbered links, a QR code, its dates."""
    body = printable_body(article.body_html, article_url)
    return {
        "article": article,
        "article_url": article_url,
        "body": Markup(body.html),
        "links": body.links,
        "qr_code": qr_code_svg(article_url, f"Mã QR dẫn tới bài viết trên {site_name}"),
        "published": vietnamese_time_then_date(article.published_at, zone),
        "printed_on": vietnamese_date(printed_at, zone),
        "for_pdf": for_pdf,
    }


class ArticlePdfs:
    """Articles' PDFs in a disk cache, keyed by everything a PDF shows, each rendered once however many ask."""

    def __init__(
        self,
        cache: PdfCache,
        *,
        site_url: str,
        site_name: str,
        zone: ZoneInfo,
        design_fingerprints: Sequence[str],
        static_root: str | os.PathLike,
        media_root: str | os.PathLike,
        render_timeout: float = DEFAULT_RENDER_TIMEOUT,
    ):
        self.cache = cache
        self.site_url = site_url
        self.site_name = site_name
        self.zone = zone
        self.design_fingerprints = tuple(design_fingerprints)
        self.static_root = static_root
        self.media_root = media_root
        self.render_timeout = render_timeout

    def key(self, article: Article, printed_at: dt.datetime) -> str:
        """The cache key and ETag: the article's content, the print template and styles, and all else printed."""
        return pdf_cache_key(
            article.content_hash,
            *self.design_fingerprints,
            self.site_url,
            self.site_name,
            article.category.name if article.category else "",
            printed_at.astimezone(self.zone).date().isoformat(),
        )

    def cached(self, article: Article, printed_at: dt.datetime) -> Path | None:
        """The article's PDF if it is already in the cache, else None."""
        return self.cache.get(self.key(article, printed_at))

    def get_or_render(
        self, article: Article, printed_at: dt.datetime, render_page: Callable[[], PrintedPage]
    ) -> ArticlePdf:
        """The article's PDF from the cache, rendered from render_page() (once, whoever else asks at the
        same time) if missing; PdfRenderError if it cannot be made."""
        key = self.key(article, printed_at)
        path = self.cache.get_or_render(key, lambda: self._render(render_page()))
        return ArticlePdf(path, key)

    def _render(self, page: PrintedPage) -> bytes:
        return render_pdf(
            page.html,
            page.url,
            self.static_root,
            self.media_root,
            static_url_path=page.static_url_path,
            timeout=self.render_timeout,
        )


@dataclass
class PdfPrewarmReport:
    """What a prewarm did: PDFs made, PDFs already cached, and the articles that failed."""

    made: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (slug, reason)


def latest_printable_articles(count: int) -> list[Article]:
    """The latest `count` published articles, newest first, with the categories their PDFs print."""
    statement = published_articles().limit(count).options(selectinload(Article.category))
    return list(db.session.execute(statement).scalars())


def prewarm_article_pdfs(
    pdfs: ArticlePdfs,
    articles: Iterable[Article],
    printed_at: dt.datetime,
    render_page: Callable[[Article], PrintedPage],
    progress: Callable[[int], None] = lambda done: None,
) -> PdfPrewarmReport:
    """Render each article's PDF into the cache now, so its first reader does not wait."""
    report = PdfPrewarmReport()
    for article in articles:
        if pdfs.cached(article, printed_at):
            report.already += 1
        else:
            try:
                pdfs.get_or_render(article, printed_at, lambda: render_page(article))
                report.made += 1
            except PdfRenderError as error:
                report.failed.append((article.slug, str(error)))
        progress(1)
    return report
