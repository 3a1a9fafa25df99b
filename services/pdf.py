"""Article PDFs: WeasyPrint rendering in a killable worker process, a site-only URL fetcher, a disk cache."""
from __future__ import annotations

import hashlib
import mimetypes
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from services.files import LockTimeout, is_temp_name, remove_lock_file_if_free, single_flight, write_atomically

# Part of every cache key. services/article_pdf.py adds fingerprints of the template and stylesheet;
# bump this when code changes what a PDF looks like (render options, how links are printed).
PDF_TEMPLATE_VERSION = "1"
DEFAULT_RENDER_TIMEOUT = 15.0
# The printed page does not need camera resolution; this keeps photo-heavy PDFs small.
IMAGE_DPI = 150
JPEG_QUALITY = 85

# A worker forked from a clean, single-threaded server: safe under a threaded web server (a plain fork
# could copy a lock held by another thread), and cheap, because the server has WeasyPrint imported.
# Preloading __main__ imports the entry script once in that server instead of once per render; as with
# any multiprocessing code, a script that renders needs the `if __name__ == "__main__":` guard.
_WORKERS = multiprocessing.get_context("forkserver")
_WORKERS.set_forkserver_preload(["__main__", __name__])
# Each render is a process; on two cores, more of them at once only makes every one slower.
_RENDER_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


class PdfRenderError(RuntimeError):
    """A PDF could not be made."""


class PdfRenderTimeout(PdfRenderError):
    """A PDF took longer than its time limit and was abandoned."""


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


def render_pdf(
    html: str,
    base_url: str,
    static_root: str | os.PathLike,
    media_root: str | os.PathLike,
    *,
    static_url_path: str = "/static/",
    media_url_path: str = "/media/",
    timeout: float = DEFAULT_RENDER_TIMEOUT,
) -> bytes:
    """A tagged PDF/UA-1 document of an HTML page, rendered in a worker process killed after timeout seconds."""
    mounts = {static_url_path: os.fspath(static_root), media_url_path: os.fspath(media_root)}
    deadline = time.monotonic() + timeout
    if not _RENDER_SLOTS.acquire(timeout=timeout):
        raise PdfRenderTimeout("every PDF worker stayed busy for the whole time limit")
    try:
        return _render_in_worker(html, base_url, mounts, deadline)
    finally:
        _RENDER_SLOTS.release()


def _render_in_worker(html: str, base_url: str, mounts: dict[str, str], deadline: float) -> bytes:
    receiver, sender = _WORKERS.Pipe(duplex=False)
    worker = _WORKERS.Process(target=_render_and_send, args=(sender, html, base_url, mounts), daemon=True)
    worker.start()
    sender.close()
    try:
        # Read before joining: a worker blocks writing a large PDF until someone reads the pipe.
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise PdfRenderTimeout("the PDF was not ready within its time limit")
        try:
            outcome, payload = receiver.recv()
        except EOFError as error:
            raise PdfRenderError(f"the PDF worker stopped (exit code {worker.exitcode})") from error
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if outcome != "pdf":
        raise PdfRenderError(payload)
    if not (payload.startswith(b"%PDF-") and payload.rstrip().endswith(b"%%EOF")):
        raise PdfRenderError("the PDF worker returned something that is not a whole PDF")
    return payload


def _render_and_send(sender, html: str, base_url: str, mounts: dict[str, str]) -> None:
    # Runs in the worker process.
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


def pdf_cache_key(content_hash: str, *varying: str) -> str:
    """The cache key (and ETag) of a PDF: the article's content hash, the template version, and any
    other value the PDF shows (its URL, the print date)."""
    parts = "\n".join((PDF_TEMPLATE_VERSION, content_hash, *varying))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()[:32]


class PdfCache:
    """Rendered PDFs on disk under one directory, one file per key, written atomically; a key is
    rendered once even when many threads or processes ask for it at the same time."""

    def __init__(self, directory: str | os.PathLike, lock_timeout: float = DEFAULT_RENDER_TIMEOUT * 2):
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout

    def path_for(self, key: str) -> Path:
        """Where the PDF for a key lives (it may not exist yet)."""
        if not key.isalnum():
            raise ValueError(f"a PDF cache key is letters and digits only: {key!r}")
        return self.directory / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> Path | None:
        """The cached PDF for a key, or None."""
        path = self.path_for(key)
        return path if path.is_file() else None

    def get_or_render(self, key: str, render: Callable[[], bytes]) -> Path:
        """The cached PDF for a key, calling render() to make it if no one has yet."""
        path = self.path_for(key)
        if path.is_file():
            return path
        try:
            with single_flight(path.with_suffix(".lock"), self.lock_timeout):
                # Whoever held the lock before us may have just written it.
                if not path.is_file():
                    write_atomically(os.fspath(path), render())
        except LockTimeout as error:
            raise PdfRenderTimeout("another render of this PDF is taking too long") from error
        return path

    def prune(self, older_than_seconds: float) -> int:
        """Delete cached PDFs, lock files and leftovers of killed writers not modified for the given
        time; the number of PDFs deleted."""
        cutoff = time.time() - older_than_seconds
        deleted = 0
        for path in self.directory.glob("*/*"):
            if path.suffix not in {".pdf", ".lock"} and not is_temp_name(path.name):
                continue
            try:
                if path.stat().st_mtime >= cutoff:
                    continue
                if path.suffix == ".lock":
                    # A lock held right now guards a render in progress; deleting it would let a second
                    # render start beside the first.
                    remove_lock_file_if_free(path)
                    continue
                path.unlink()
                deleted += path.suffix == ".pdf"
            except FileNotFoundError:
                continue
        return deleted
