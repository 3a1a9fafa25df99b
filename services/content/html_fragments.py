"""Body HTML as an editable lxml tree and back, for the services that rewrite article bodies."""
from __future__ import annotations

import html

import lxml.html

# HTML's void elements: a start tag only, never content or an end tag
# (https://html.spec.whatwg.org/multipage/syntax.html#void-elements, plus the obsolete ones the
# serialization algorithm still lists). libxml2 parses and writes HTML 4, so it does not know some of
# them: it nests what follows a <source>, <track>, <wbr> or <embed> inside it and writes "</source>".
VOID_ELEMENTS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
})

# Elements that start a new block of text; anything else is inline and belongs to the block around it (what
# is read as one paragraph, what search keeps apart as separate words).
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "legend", "noscript",
    "script", "style", "template",
})


def parse_fragment(body_html: str):
    """The fragment's nodes inside a wrapper div; raises lxml's errors (ParserError, ValueError) on broken markup."""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for element in list(root.iter(*VOID_ELEMENTS)):
        _move_content_after(element)
    return root


def serialize_fragment(root) -> str:
    """The wrapper div's content as HTML, without the wrapper itself."""
    # lxml hands back the text before the first child unescaped: "&lt;img&gt;" comes out as "<img>", which
    # would turn quoted markup into a live tag once the string is written into a page.
    return _text(root.text) + "".join(_html(child) for child in root)


def _move_content_after(void):
    """Give what libxml2 nested inside a void element back to its parent, right after it, as HTML parses it."""
    if void.text:
        void.tail = void.text + (void.tail or "")
        void.text = None
    for child in reversed(void):
        void.addnext(child)  # lxml moves the child's tail along with it


def _html(node) -> str:
    """One node and its tail as HTML: lxml's serialization, except where it would close a void element."""
    if not isinstance(node.tag, str):  # comments and processing instructions
        return lxml.html.tostring(node, encoding="unicode")
    if node.tag in VOID_ELEMENTS:
        return _start_tag(node) + _text(node.tail)
    if not any(isinstance(d.tag, str) and d.tag in VOID_ELEMENTS for d in node.iterdescendants()):
        return lxml.html.tostring(node, encoding="unicode")
    children = "".join(_html(child) for child in node)
    return f"{_start_tag(node)}{_text(node.text)}{children}</{node.tag}>{_text(node.tail)}"


def _start_tag(element) -> str:
    """The element's start tag with its attributes, written by lxml."""
    bare = lxml.html.tostring(element.makeelement(element.tag, element.attrib), encoding="unicode")
    return bare.removesuffix(f"</{element.tag}>")


def _text(text: str | None) -> str:
    return html.escape(text or "", quote=False)
