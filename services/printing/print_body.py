"""The article body made ready for paper: every link gets a numbered note whose full URL is printed
at the end, and only the site's own images remain."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

from services.content.html_fragments import parse_fragment, serialize_fragment
from services.media.store import MEDIA_URL_PATH

PRINTED_LINK_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class PrintableBody:
    html: str
    # The URLs in the order of their note numbers: note n is links[n - 1].
    links: list[str] = field(default_factory=list)


def printable_body(body_html: str, page_url: str, media_url_path: str = MEDIA_URL_PATH) -> PrintableBody:
    """Body HTML with a "[n]" after each link and the absolute URLs listed, and outside images dropped."""
    if not body_html.strip():
        return PrintableBody("")
    root = parse_fragment(body_html)
    for image in list(root.iter("img")):
        # The sanitizer already keeps only media images; the PDF must not show an outside one even so.
        if not (image.get("src") or "").startswith(media_url_path):
            image.drop_tree()
    links: list[str] = []
    for anchor in list(root.iter("a")):
        href = (anchor.get("href") or "").strip()
        # An anchor inside the page itself leads nowhere on paper.
        if not href or href.startswith("#"):
            continue
        url = urljoin(page_url, href)
        if urlsplit(url).scheme not in PRINTED_LINK_SCHEMES:
            continue
        # A link whose text is its own address says it already; the same address keeps one number.
        if anchor.text_content().strip() in (url, url.removeprefix("mailto:"), url.removeprefix("tel:")):
            continue
        if url not in links:
            links.append(url)
        note = lxml.html.Element("sup", {"class": "print-link-ref"})
        note.text = f"[{links.index(url) + 1}]"
        note.tail, anchor.tail = anchor.tail, None
        anchor.addnext(note)
    html = serialize_fragment(root)
    return PrintableBody(html, links)
