"""The article body as readers get it: stored, sanitized HTML with display attributes added."""
from __future__ import annotations

from functools import lru_cache

from services.speech.spoken_text import annotate_speakable
from services.content.html_fragments import parse_fragment, serialize_fragment


@lru_cache(maxsize=512)
def _prepared_body(content_hash: str, body_html: str) -> str:
    # Keyed by the article's content hash as well, so an edit never serves a stale body.
    if not body_html.strip():
        return ""
    # data-seg marks let the player highlight, and start from, the block being read.
    root = parse_fragment(annotate_speakable(body_html))
    for image in root.iter("img"):
        image.set("loading", "lazy")
        image.set("decoding", "async")
    return serialize_fragment(root)


def body_for_display(content_hash: str, body_html: str) -> str:
    """Body HTML with lazy, asynchronously decoded images, cached per version of the article."""
    return _prepared_body(content_hash, body_html)
