"""Article HTML made safe to store and show, with the nh3 (Ammonia) sanitizer, and clean: what a word
processor pastes (Word's mso- styles, list paragraphs and <o:p>, LibreOffice's <font>s) comes out as the plain
paragraphs, headings, lists and emphasis the site shows.

Every body goes through sanitize_body: the importer's and the newsroom's alike."""
from __future__ import annotations

import re
import unicodedata

import lxml.etree
import lxml.html
import nh3

from services.content.html_fragments import parse_fragment, serialize_fragment
from services.media.store import MEDIA_URL_PATH

# No <span> and no <h1>: a span without attributes says nothing (word processors wrap every run of text in
# one), and a page's one h1 is the article's title (an h1 in the body becomes an h2).
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "sub", "sup", "blockquote",
    "ul", "ol", "li", "a", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "div", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# Inline elements that mean nothing without text in them (Word leaves empty bold runs, LibreOffice empty links).
_EMPTY_INLINE = ("a", "b", "i", "u", "em", "strong", "sub", "sup")
# Word's list paragraphs: style="mso-list:l0 level1 lfo1"; the bullet or number is in a span marked mso-list:Ignore.
_WORD_LIST = re.compile(r"mso-list:\s*l\d+\s+level(\d+)", re.IGNORECASE)
_WORD_LIST_MARKER = re.compile(r"mso-list:\s*ignore", re.IGNORECASE)
_ORDERED_MARKER = re.compile(r"^\(?(\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,5})[.)]")
_OFFICE_HINTS = ("mso-", "urn:schemas-microsoft", "<o:p", "<font", "<h1", "<H1")


def _keep_local_images(tag: str, attribute: str, value: str) -> str | None:
    # Imported images are copied into the media store first; anything still pointing elsewhere
    # would make readers' phones (and the PDF renderer) fetch a third-party URL.
    if tag == "img" and attribute == "src" and not value.startswith(MEDIA_URL_PATH):
        return None
    # nh3 allows lang and title on every element; Word marks Vietnamese text as lang="EN-US", and a screen
    # reader believes it. Only a link keeps its title.
    if attribute not in ALLOWED_ATTRIBUTES.get(tag, ()) and not (tag == "a" and attribute == "rel"):
        return None
    return value


def sanitize_body(html: str) -> str:
    """Body HTML with no script, no event handler, no javascript: URL and no remote image, without a word
    processor's leftovers (styles, fonts, empty spans and paragraphs), in NFC."""
    if any(hint in html for hint in _OFFICE_HINTS):
        html = _office_to_plain_html(html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        attribute_filter=_keep_local_images,
        strip_comments=True,
    )
    return unicodedata.normalize("NFC", _tidy(cleaned))


def _office_to_plain_html(html: str) -> str:
    """Word's and LibreOffice's clipboard HTML before sanitizing: Word's list paragraphs as real lists (their
    typed bullets and numbers dropped), h1 as h2; the rest of their markup the sanitizer removes."""
    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return html
    body = document.find("body")
    if body is None:
        body = document
    _word_lists(body)
    for heading in body.iter("h1"):
        heading.tag = "h2"
    for element in body.iter(lxml.etree.Comment):
        element.getparent().remove(element) if element.getparent() is not None else None
    return (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in body)


def _word_lists(body) -> None:
    """Runs of Word list paragraphs (siblings of one list) become <ul>/<ol>, by the bullet or number Word typed
    before each (which goes), deeper levels nested in the item before."""
    for paragraph in list(body.iter("p")):
        match = _WORD_LIST.search(paragraph.get("style", ""))
        if match is None or paragraph.getparent() is None:
            continue
        level = int(match.group(1))
        list_id = match.group(0).split()[0].rsplit(":", 1)[-1].strip().lower()  # "l0": one list in Word
        markers = [e for e in paragraph.iter() if isinstance(e.tag, str) and _WORD_LIST_MARKER.search(e.get("style", ""))]
        marker_text = " ".join(markers[0].text_content().split()) if markers else ""
        for marker in markers:
            marker.drop_tree()
        ordered = bool(_ORDERED_MARKER.match(marker_text))
        paragraph.tag = "li"
        paragraph.attrib.pop("style", None)
        previous = paragraph.getprevious()
        lists = previous if previous is not None and previous.get("data-word-list") == list_id \
            and not (previous.tail or "").strip() else None
        if lists is None:
            lists = lxml.html.Element("ol" if ordered else "ul", {"data-word-list": list_id})
            paragraph.addprevious(lists)
        container = lists
        for _ in range(level - 1):
            last_item = container[-1] if len(container) else None
            if last_item is None:
                break
            nested = last_item[-1] if len(last_item) and last_item[-1].tag in ("ul", "ol") else None
            if nested is None:
                nested = lxml.html.Element("ol" if ordered else "ul")
                last_item.append(nested)
            container = nested
        tail = paragraph.tail
        paragraph.tail = None
        container.append(paragraph)
        if tail and tail.strip():
            lists.tail = (lists.tail or "") + tail


def _tidy(html: str) -> str:
    """Empty inline elements and links without an address unwrapped, paragraphs with nothing to read dropped."""
    if not html.strip():
        return ""
    root = parse_fragment(html)
    for element in list(root.iter(*_EMPTY_INLINE)):
        if element.tag == "a" and element.get("href"):
            continue
        if element.tag != "a" and (element.text_content().strip() or element.find(".//img") is not None):
            continue
        element.drop_tag()
    for element in list(root.iter("p", "li", "h2", "h3", "h4", "blockquote")):
        if not element.text_content().replace("\xa0", " ").strip() and element.find(".//img") is None:
            element.drop_tree()
    return serialize_fragment(root).strip()
