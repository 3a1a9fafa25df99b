"""PDF rendering: WeasyPrint (services.printing.weasy) in a killable worker process, a few at a time."""
from __future__ import annotations

import importlib
import multiprocessing
import os
import re
import threading
import time

from services.media.store import MEDIA_URL_PATH, fetch_media

# WeasyPrint is imported only in the render processes (this module names it, never imports it): the import
# takes half a second, which every web worker would otherwise pay again at each start and restart.
WEASYPRINT_MODULE = "services.printing.weasy"

DEFAULT_RENDER_TIMEOUT = 15.0


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
                context.set_forkserver_preload(["__main__", __name__, WEASYPRINT_MODULE])
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


def render_pdf(
    html: str,
    base_url: str,
    static_root: str | os.PathLike,
    media_root: str | os.PathLike,
    *,
    static_url_path: str = "/static/",
    media_url_path: str = MEDIA_URL_PATH,
    timeout: float = DEFAULT_RENDER_TIMEOUT,
    media_store=None,
) -> bytes:
    """A tagged PDF/UA-1 document of an HTML page, rendered in a worker process killed after timeout seconds.
    With media_store (the bucket's media folder), the media files the page names are copied into media_root
    first when this host has none yet, so the renderer finds them on disk."""
    if media_store is not None:
        for name in set(re.findall(r'="' + re.escape(media_url_path) + r'([^"?#]+)', html)):
            fetch_media(os.fspath(media_root), name, media_store)
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
    # Runs in the render process, whose forkserver has WeasyPrint imported already.
    try:
        weasy = importlib.import_module(WEASYPRINT_MODULE)
    except Exception as error:  # noqa: BLE001 - a broken install must reach the parent as a message
        sender.send(("error", f"WeasyPrint could not be loaded: {type(error).__name__}: {error}"))
        sender.close()
        return
    weasy.render_and_send(sender, html, base_url, mounts)
