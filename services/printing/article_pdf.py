"""An article's PDF: what the print document shows, its cache key, rendering it once (remembering a failure
for a while), and rendering ahead of time.

A PDF shows only what belongs to the article and the site's templates (its publication date, not the day
it is printed), so one file serves every printer until the article or the design changes."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup

from models import Article
from services.infra.files import FileCache, PrewarmReport, RememberedFailure, cache_key
from services.content.formatting import vietnamese_date, vietnamese_time_then_date
from services.printing.render import (
    DEFAULT_RENDER_TIMEOUT,
    PdfRenderError,
    PdfRenderTimeout,
    render_pdf,
)
from services.printing.print_body import printable_body
from services.printing.qr import qr_code_svg


@dataclass(frozen=True)
class ArticlePdf:
    """A cached PDF and its ETag (the cache key)."""

    path: Path
    etag: str


# Part of every PDF's cache key. ArticlePdfs.key adds fingerprints of the template and stylesheet;
# bump this when code changes what a PDF looks like (render options, how links are printed).
PDF_TEMPLATE_VERSION = "2"
PDF_SUFFIX = ".pdf"


@dataclass(frozen=True)
class PrintSite:
    """What a PDF needs to know of the site: its public address and name, where its files are on disk,
    and how its public URLs are spelled (given by the web layer, so this module needs no request)."""

    site_url: str
    site_name: str
    zone: ZoneInfo
    static_root: str | os.PathLike
    media_root: str | os.PathLike
    static_url_path: str
    article_url: Callable[[Article], str]
    print_view_url: Callable[[Article], str]
    stylesheet_url: str
    media_store: object = None  # the bucket's media folder (services.infra.storage.ObjectStore) with s3


def print_context(article: Article, article_url: str, site_name: str, zone: ZoneInfo, *, for_pdf: bool) -> dict:
    """What the print template shows of an article: its body with numbered links, a QR code back to the
    online article, its publication date (never the day of printing, so the PDF stays one cached file)."""
    body = printable_body(article.body_html, article_url)
    return {
        "article": article,
        "article_url": article_url,
        "body": Markup(body.html),
        "links": body.links,
        "qr_code": qr_code_svg(article_url, f"Mã QR dẫn tới bài viết trên {site_name}"),
        "published": vietnamese_time_then_date(article.published_at, zone),
        "published_on": vietnamese_date(article.published_at, zone),
        "for_pdf": for_pdf,
    }


class ArticlePdfs:
    """Articles' PDFs in the file cache, keyed by everything a PDF shows, each rendered once however many ask."""

    def __init__(
        self,
        cache: FileCache,
        site: PrintSite,
        render_page: Callable[..., str],
        design_fingerprints: Callable[[], Sequence[str]],
        render_timeout: float = DEFAULT_RENDER_TIMEOUT,
    ):
        self.cache = cache
        self.site = site
        # render_page(**print_context) -> the print template's HTML; a plain template render, no request.
        self.render_page = render_page
        self.design_fingerprints = design_fingerprints
        self.render_timeout = render_timeout

    @property
    def zone(self) -> ZoneInfo:
        return self.site.zone

    def key(self, article: Article) -> str:
        """The cache key and ETag: the article's content, the print template and styles, and all else printed."""
        return cache_key(
            PDF_TEMPLATE_VERSION,
            article.content_hash,
            *self.design_fingerprints(),
            self.site.site_url,
            self.site.site_name,
            article.category.name if article.category else "",
            article.published_at.isoformat() if article.published_at else "",
        )

    def cached(self, article: Article) -> Path | None:
        """The article's PDF if it is already in the cache, else None."""
        return self.cache.get(self.key(article))

    def failure(self, article: Article) -> str | None:
        """Why rendering the article's PDF failed a short while ago, or None; it is not tried again meanwhile."""
        return self.cache.failure(self.key(article))

    def get_or_render(self, article: Article) -> ArticlePdf:
        """The article's PDF from the cache, rendered (once, whoever else asks at the same time) if missing;
        PdfRenderError if it cannot be made, at once while an earlier failure is remembered."""
        key = self.key(article)
        if (path := self.cache.get(key)) is not None:
            return ArticlePdf(path, key)
        if (reason := self.cache.failure(key)) is not None:
            raise PdfRenderError(f"failed a short while ago: {reason}")
        try:
            path = self.cache.get_or_create(key, lambda file: file.write(self._render(article)))
        except TimeoutError as error:
            raise PdfRenderTimeout("another render of this PDF is taking too long") from error
        except PdfRenderError as error:
            self.cache.remember_failure(key, str(error) or type(error).__name__)
            raise
        return ArticlePdf(path, key)

    def wait_for(self, article: Article, seconds: float) -> ArticlePdf | None:
        """The article's PDF once some thread or process has rendered it, or None after seconds;
        PdfRenderError if that render failed meanwhile."""
        key = self.key(article)
        try:
            found = self.cache.wait_for([key], seconds, failure_key=key)
        except RememberedFailure as error:
            raise PdfRenderError(str(error)) from error
        return None if found is None else ArticlePdf(found[1], key)

    def html(self, article: Article) -> str:
        """The print document exactly as the PDF renders it, at the site's public address."""
        context = print_context(article, self.site.article_url(article), self.site.site_name, self.zone, for_pdf=True)
        return self.render_page(stylesheet_url=self.site.stylesheet_url, **context)

    def _render(self, article: Article) -> bytes:
        return render_pdf(
            self.html(article),
            self.site.print_view_url(article),
            self.site.static_root,
            self.site.media_root,
            static_url_path=self.site.static_url_path,
            timeout=self.render_timeout,
            media_store=self.site.media_store,
        )

    def prewarm(self, articles: Iterable[Article], progress: Callable[[int], None] = lambda done: None) -> PrewarmReport:
        """Render each article's PDF into the cache now, so its first reader does not wait."""
        report = PrewarmReport()
        for article in articles:
            if self.cached(article):
                report.already += 1
            else:
                try:
                    self.get_or_render(article)
                    report.made += 1
                except PdfRenderError as error:
                    report.failed.append((article.slug, str(error)))
            progress(1)
        return report
