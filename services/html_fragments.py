"""Body HTML as an editable lxml tree and back, for the services that rewrite article bodies."""
from __future__ import annotations

import html

import lxml.html


def parse_fragment(body_html: str):
    """The fragment's nodes inside a wrapper div; raises lxml's errors (ParserError, ValueError) on broken markup."""
    return lxml.html.fragment_fromstring(body_html, create_parent="div")


def serialize_fragment(root) -> str:
    """The wrapper div's content as HTML, without the wrapper itself."""
    # lxml hands back the text before the first child unescaped: "&lt;img&gt;" comes out as "<img>", which
    # would turn quoted markup into a live tag once the string is written into a page.
    leading_text = html.escape(root.text or "", quote=False)
    return leading_text + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
