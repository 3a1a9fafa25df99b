"""What runs in a PDF render process: WeasyPrint, and a URL fetcher that serves only the site's files.

Only the render processes import this module (services.printing.render preloads it in their forkserver), so
a web worker starts without WeasyPrint's half-second import.
"""
from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The printed page does not need camera resolution; this keeps photo-heavy PDFs small.
IMAGE_DPI = 150
JPEG_QUALITY = 85


class URLRefused(ValueError):
    """The PDF renderer asked for something other than one of the site's own files."""


class SiteFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads the site's own static and media files from disk and refuses
    every other URL, so article HTML can never make the server fetch a URL or read an arbitrary path."""

    def __init__(self, site_url: str, mounts: Mapping[str, str | os.PathLike]):
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        site = urlsplit(site_url)
        self._origin = (site.scheme.lower(), site.netloc.lower())
        self._mounts = {
            "/" + prefix.strip("/") + "/": Path(root).resolve() for prefix, root in mounts.items()
        }

    def fetch(self, url, headers=None):
        """The bytes of a site file named by an absolute URL; URLRefused for anything else."""
        path = self.local_path(url)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})

    def local_path(self, url: str) -> Path:
        """The file on disk behind one of the site's static or media URLs; URLRefused for anything else."""
        parts = urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != self._origin:
            raise URLRefused(f"not a URL of this site: {url[:200]}")
        url_path = unquote(parts.path)
        for prefix, root in self._mounts.items():
            if url_path.startswith(prefix):
                try:
                    path = (root / url_path[len(prefix):]).resolve()
                except (OSError, ValueError) as error:
                    raise URLRefused(f"bad file path: {url[:200]}") from error
                if path.is_relative_to(root) and path.is_file():
                    return path
                raise URLRefused(f"no such site file: {url[:200]}")
        raise URLRefused(f"not a static or media URL: {url[:200]}")


def render_and_send(sender, html: str, base_url: str, mounts: dict[str, str]) -> None:
    """Render html to a PDF and send ("pdf", bytes) or ("error", message) through sender."""
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url, url_fetcher=SiteFilesFetcher(base_url, mounts)
        )
        pdf = document.write_pdf(
            pdf_variant="pdf/ua-1",
            optimize_images=True,
            dpi=IMAGE_DPI,
            jpeg_quality=JPEG_QUALITY,
        )
    except Exception as error:  # noqa: BLE001 - every failure must reach the parent as a message
        sender.send(("error", f"{type(error).__name__}: {error}"))
    else:
        sender.send(("pdf", pdf))
    finally:
        sender.close()
