"""Sending a file of the audio or PDF cache: by the app, or by nginx through X-Accel-Redirect."""
import os
from urllib.parse import quote

from flask import current_app, send_file


def send_cached_file(path, **options):
    """send_file for a cached audio or PDF file; with ACCEL_REDIRECT_PREFIX set, nginx sends the bytes.

    The app still decides everything but the bytes: 304s, the ETag, Cache-Control, the download name.
    nginx then serves the file from its internal location, Range requests included, without holding a worker.
    """
    response = send_file(path, **options)
    internal_uri = _internal_uri(path)
    if internal_uri is None or response.status_code not in (200, 206):
        return response
    response.close()  # the file Werkzeug opened; nginx reads it instead
    response.response = []
    response.status_code = 200  # nginx answers the client's own Range from the file
    for name in ("Content-Length", "Content-Range"):
        response.headers.pop(name, None)
    response.headers["X-Accel-Redirect"] = internal_uri
    return response


def _internal_uri(path) -> str | None:
    """The nginx-internal URI of a cached file, or None when nginx is not to send it."""
    prefix = current_app.config.get("ACCEL_REDIRECT_PREFIX")
    if not prefix:
        return None
    root = os.path.realpath(current_app.config["ACCEL_REDIRECT_ROOT"])
    real_path = os.path.realpath(path)
    if os.path.commonpath([root, real_path]) != root:
        return None  # outside what nginx's internal location maps: the app sends it
    return prefix.rstrip("/") + "/" + quote(os.path.relpath(real_path, root).replace(os.sep, "/"))
