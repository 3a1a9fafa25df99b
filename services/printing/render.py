"""PDF rendering: WeasyPrint in a killable worker process, with a URL fetcher that serves only the site's files."""
from __future__ import annotations

import mimetypes
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse


DEFAULT_RENDER_TIMEOUT = 15.0
# The printed page does not need camera resolution; this keeps photo-heavy PDFs small.
IMAGE_DPI = 150
JPEG_QUALITY = 85



class _RenderWorkers:
    """Worker processes for renders, set up on the first render rather than when this module is imported."""

    def __init__(self):
        self._lock = threading.Lock()
        self._context = None
        self._slots = None

    def get(self):
        """The process context and the semaphore that bounds renders running at once."""
        with self._lock:
            if self._context is None:
                # A worker forked from a clean, single-threaded server: safe under a threaded web server (a
                # plain fork could copy a lock held by another thread), and cheap, because the server has
                # WeasyPrint imported. Preloading __main__ imports the entry script once in that server
                # instead of once per render; a script that renders needs the `if __name__ == "__main__":` guard.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["__main__", __name__])
                # Each render is a process; on two cores, more of them at once only makes every one slower.
                self._slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
                self._context = context
            return self._context, self._slots


# One per process: the bound is about this machine's cores, whichever app asks.
_WORKERS = _RenderWorkers()


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
    context, slots = _WORKERS.get()
    if not slots.acquire(timeout=timeout):
        raise PdfRenderTimeout("every PDF worker stayed busy for the whole time limit")
    try:
        return _render_in_worker(context, html, base_url, mounts, deadline)
    finally:
        slots.release()


def _render_in_worker(context, html: str, base_url: str, mounts: dict[str, str], deadline: float) -> bytes:
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_render_and_send, args=(sender, html, base_url, mounts), daemon=True)
    try:
        worker.start()
    except OSError as error:
        # Out of processes or memory: a render failure like any other, remembered and answered with a 503.
        receiver.close()
        raise PdfRenderError(f"the PDF worker could not start: {error}") from error
    finally:
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
