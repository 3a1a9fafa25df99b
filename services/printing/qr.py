"""QR codes as inline SVG, so a printed page leads a phone back to the article with no image to fetch."""
from __future__ import annotations

from markupsafe import Markup



def qr_code_svg(url: str, title: str) -> Markup:
    """An inline <svg> QR code for a URL; its <title> is the accessible name (and the PDF's alt text)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    # The size is left to CSS; segno escapes the title.
    svg = code.svg_inline(scale=1, border=2, title=title, omitsize=True, svgclass="qr-code")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
