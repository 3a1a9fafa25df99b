"""Resized images: each variant is made on its first request, then served from disk for a year.

The template helpers here decide, for every stored image a page shows, between a <picture> with
resized copies and — when the reader is saving data — a link that says what the image would cost.
"""
import os

from flask import Blueprint, abort, current_app, send_file
from markupsafe import Markup
from werkzeug.security import safe_join

from web.assets import IMMUTABLE
from web.preferences import saving_data
from services.media.images import (
    VARIANTS_FOLDER,
    ensure_variant,
    image_placeholder,
    image_sources,
    parse_variant,
    responsive_body_images,
    size_label,
)
from web.site_services import site_services
from services.media.store import MEDIA_URL_PATH, NotAnImage, fetch_media

bp = Blueprint("images", __name__)


@bp.get(f"{MEDIA_URL_PATH}{VARIANTS_FOLDER}/<int:width>/<path:name>")
def variant(width, name):
    """One resized copy of a stored image, made now if it does not exist yet."""
    wanted = parse_variant(width, name)
    if wanted is None:
        abort(404)
    try:
        fetch_media(current_app.config["MEDIA_ROOT"], wanted.source, site_services().media)
        path = ensure_variant(current_app.config["MEDIA_ROOT"], wanted)
    except (FileNotFoundError, NotAnImage):
        abort(404)
    response = send_file(path, mimetype=wanted.media_type, conditional=True, etag=True)
    # The name says which source, width and format it is, and sources are named by their content.
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.app_template_global()
def picture_sources(path, width, largest=None):
    """srcsets for a stored image, or None when it cannot be resized (the template then uses one <img>)."""
    return image_sources(path, width, largest)


@bp.app_template_global()
def image_placeholder_for(path, width):
    """The data saver's link for a stored image, with the size of what it would load."""
    return image_placeholder(current_app.config["MEDIA_ROOT"], path, width)


@bp.app_template_global()
def media_size_label(path):
    """A stored file's size as "12 MB", or "" if it is missing."""
    try:
        return size_label(os.path.getsize(safe_join(current_app.config["MEDIA_ROOT"], path) or ""))
    except OSError:
        return ""


@bp.app_template_filter("responsive_images")
def responsive_images(body):
    """Article body HTML with resized image sources, or placeholders when the reader is saving data."""
    return Markup(responsive_body_images(str(body), current_app.config["MEDIA_ROOT"], saving_data()))
