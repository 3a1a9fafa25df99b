"""Article HTML made safe to store and show, with the nh3 (Ammonia) sanitizer."""
from __future__ import annotations

import unicodedata

import nh3

from services.media.store import MEDIA_URL_PATH

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "sub", "sup", "blockquote",
    "ul", "ol", "li", "a", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "span", "div", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}


def _keep_local_images(tag: str, attribute: str, value: str) -> str | None:
    # Imported images are copied into the media store first; anything still pointing elsewhere
    # would make readers' phones (and the PDF renderer) fetch a third-party URL.
    if tag == "img" and attribute == "src" and not value.startswith(MEDIA_URL_PATH):
        return None
    return value


def sanitize_body(html: str) -> str:
    """Body HTML with no script, no event handler, no javascript: URL and no remote image, in NFC."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        attribute_filter=_keep_local_images,
        strip_comments=True,
    )
    return unicodedata.normalize("NFC", cleaned)
