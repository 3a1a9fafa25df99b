"""What of an article is read aloud, in order, and the matching data-seg marks in its body HTML.

speakable_blocks() and annotate_speakable() share one traversal (_segments), so block N of the article is
always the element marked data-seg="N" on the page (block 0 is the title, marked by the page itself). The
unit of speech is a sentence: spoken_sentences() cuts each block with the one sentence splitter and says
which block every sentence belongs to, so the player can highlight, start and skip by sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from models import clean_text
from services.content.html_fragments import BLOCK_ELEMENTS, parse_fragment, serialize_fragment
from services.vietnamese import Lexicon, split_sentences, spoken_form

SEGMENT_ATTRIBUTE = "data-seg"

# Never read: captions, media, navigation, code and form controls.
SKIPPED_TAGS = frozenset({
    "aside", "audio", "button", "canvas", "embed", "figcaption", "footer", "form", "iframe", "img",
    "input", "map", "math", "nav", "noscript", "object", "picture", "script", "select", "source", "style",
    "svg", "template", "textarea", "video", "head", "title", "meta", "link",
})
# Class or id words that CMSs put on captions, credits, share bars and related-article boxes.
_SKIPPED_CLASS_WORDS = ("caption", "credit", "related", "breadcrumb", "share", "social", "advert")
_SKIPPED_CLASS_TOKENS = frozenset({"nav", "menu", "tags", "tag", "ads", "ad", "sr-only", "visually-hidden"})

_WHITESPACE = re.compile(r"\s+")
_CREDIT_HEAD = (r"(?:ảnh|clip|video|đồ\s+họa|nguồn|(?:tin|bài)\s*(?:,|và|-|/)\s*ảnh)"
                r"(?:\s+(?:minh\s+họa|tư\s+liệu))?\s*[:：]")
_PHOTO_PLACE = r"ảnh(?:\s+(?:minh\s+họa|tư\s+liệu|trên|dưới|bên\s+trái|bên\s+phải|chụp\s+màn\s+hình))?"
# "(Ảnh trên)", "( Ảnh: Minh Anh)", "(Ảnh minh họa)" inside or as a paragraph; "(ảnh hưởng …)" is not one.
_PHOTO_NOTE = re.compile(r"\(\s*(?:" + _CREDIT_HEAD + r"[^()]*|" + _PHOTO_PLACE + r"\s*)\)", re.IGNORECASE)
# A whole block that is a credit or source line: "Ảnh: TTXVN", "Tin, ảnh: Minh Anh", "Nguồn: baochinhphu.vn",
# "Ảnh minh họa"; a paragraph that starts "Ảnh hưởng của bão …" is content.
_CREDIT_LINE = re.compile(r"^(?:" + _CREDIT_HEAD + r"|" + _PHOTO_PLACE + r"\s*\.?$)", re.IGNORECASE)
# "Theo TTXVN" closing an article is a source line; "Theo kế hoạch, …" is content, hence the limits.
_TRAILING_SOURCE = re.compile(r"^\(?theo\s+[^,.;:!?]{1,60}\)?\.?$", re.IGNORECASE)


def text_to_read(text: str) -> str:
    """A block's text as it is read aloud: stored text's rules (models.clean_text: NFC, no control characters),
    whitespace collapsed and photo notes such as "(Ảnh trên)" removed."""
    text = _PHOTO_NOTE.sub(" ", clean_text(text))
    text = _WHITESPACE.sub(" ", text).strip()
    # A removed note must not leave "rất lớn ." behind.
    return re.sub(r" ([,.;:!?…])", r"\1", text)


def is_credit_line(text: str) -> bool:
    """Whether a cleaned block is a photo credit or source line rather than something to read."""
    return bool(_CREDIT_LINE.match(text))


def _is_element(node) -> bool:
    return isinstance(node.tag, str)


def _is_skipped(element) -> bool:
    if element.tag in SKIPPED_TAGS or element.get("hidden") is not None:
        return True
    if element.get("aria-hidden", "").lower() == "true":
        return True
    if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", element.get("style", ""), re.IGNORECASE):
        return True
    for token in f"{element.get('class', '')} {element.get('id', '')}".lower().split():
        if token in _SKIPPED_CLASS_TOKENS or any(word in token for word in _SKIPPED_CLASS_WORDS):
            return True
    return False


def _is_block(node) -> bool:
    return _is_element(node) and node.tag in BLOCK_ELEMENTS


def _inline_text(node) -> str:
    """Text of an inline node and its descendants, without skipped parts, comments or its own tail."""
    if not _is_element(node) or _is_skipped(node):
        return ""
    if node.tag == "br":
        return " "
    parts = [node.text or ""]
    for child in node:
        parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@dataclass
class _Segment:
    """One piece of speech: either a whole leaf block, or a run of loose text between blocks of a container."""

    text: str
    element: object = None
    parent: object = None
    after: object = None  # the block child whose tail starts the run; None when the run starts at parent.text
    nodes: tuple = ()

    def mark(self, number: int) -> None:
        """Put data-seg="number" on the block, or on a new span around the loose run."""
        if self.element is not None:
            self.element.set(SEGMENT_ATTRIBUTE, str(number))
            return
        # Loose text has no element of its own: wrap the run in a span so the player can highlight it.
        span = etree.Element("span")
        span.set(SEGMENT_ATTRIBUTE, str(number))
        if self.after is None:
            span.text, self.parent.text = self.parent.text, None
            position = 0
        else:
            span.text, self.after.tail = self.after.tail, None
            position = self.parent.index(self.after) + 1
        for node in self.nodes:
            span.append(node)
        self.parent.insert(position, span)


def _container_segments(parent, out: list[_Segment]) -> None:
    after, run = None, []

    def close_run() -> None:
        lead = parent.text if after is None else after.tail
        text = text_to_read((lead or "") + "".join(_inline_text(node) + (node.tail or "") for node in run))
        if text and not is_credit_line(text):
            out.append(_Segment(text, parent=parent, after=after, nodes=tuple(run)))

    for child in list(parent):
        if _is_block(child):
            close_run()
            _walk(child, out)
            after, run = child, []
        else:
            run.append(child)
    close_run()


def _walk(element, out: list[_Segment]) -> None:
    if _is_skipped(element):
        return
    if any(_is_block(child) for child in element):
        _container_segments(element, out)
        return
    text = text_to_read(_inline_text(element))
    if text and not is_credit_line(text):
        out.append(_Segment(text, element=element))


def _parse(body_html: str):
    """The body inside a wrapper div, without stale data-seg marks; None when there is nothing to parse."""
    try:
        root = parse_fragment(body_html)
    except (etree.ParserError, ValueError):
        return None
    for element in list(root.iter()):
        if _is_element(element) and SEGMENT_ATTRIBUTE in element.attrib:
            del element.attrib[SEGMENT_ATTRIBUTE]
            # A bare span is a wrapper an earlier annotation made around loose text: unwrap it.
            if element.tag == "span" and not element.attrib:
                element.drop_tag()
    return root


def _segments(root) -> list[_Segment]:
    """The speakable segments of a parsed body, in reading order; the one traversal both public functions use."""
    out: list[_Segment] = []
    if root is None:
        return out
    # The wrapper is never serialized, so even a body of bare text is read as runs (wrapped in spans).
    _container_segments(root, out)
    if out and _TRAILING_SOURCE.match(out[-1].text):
        out.pop()
    return out


def speakable_blocks(title: str, body_html: str) -> list[str]:
    """Plain text to read, in order: the title (always index 0), then each body paragraph, heading or list item."""
    blocks = [text_to_read(title or "")]
    if body_html and body_html.strip():
        blocks += [segment.text for segment in _segments(_parse(body_html))]
    return blocks


def annotate_speakable(body_html: str) -> str:
    """Body HTML with data-seg="N" (from 1) on exactly the blocks speakable_blocks() reads as segment N."""
    if not body_html or not body_html.strip():
        return body_html or ""
    root = _parse(body_html)
    if root is None:
        return body_html
    for number, segment in enumerate(_segments(root), start=1):
        segment.mark(number)
    return serialize_fragment(root)


@dataclass(frozen=True)
class SpokenSentence:
    """One sentence of an article as the player and the engine need it."""

    block: int  # data-seg of the block it is read from (0 is the title)
    text: str  # as shown on the page, whitespace collapsed (what the player looks for to highlight it)
    spoken: str  # its spoken form, what the engine says


def spoken_sentences(title: str, body_html: str, lexicon: Lexicon | None = None) -> list[SpokenSentence]:
    """Every sentence of speakable_blocks(), in order, with its block number and its spoken form."""
    return [
        SpokenSentence(block, sentence, spoken_form(sentence, lexicon))
        for block, text in enumerate(speakable_blocks(title, body_html))
        for sentence in split_sentences(text, lexicon)
    ]
