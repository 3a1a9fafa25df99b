"""The sitemap protocol's XML: every address a search engine should know, with when it last changed."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from lxml import etree

from models import clean_text

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limits for one file. A district portal stays far below them; should it ever pass them,
# the sitemap lists the first MAX_URLS entries (the caller puts the newest articles first) rather than
# becoming an index of several files, and search engines find older articles through the site's links.
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024


class SitemapTooLarge(ValueError):
    """A sitemap file larger than the protocol allows."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str  # absolute
    last_modified: dt.datetime | None = None


def sitemap_xml(entries: Iterable[SitemapEntry]) -> bytes:
    """A <urlset> document of the first MAX_URLS entries, in order; raises SitemapTooLarge past MAX_BYTES."""
    urlset = etree.Element(f"{{{SITEMAP_NAMESPACE}}}urlset", nsmap={None: SITEMAP_NAMESPACE})
    for entry in islice(entries, MAX_URLS):
        url = etree.SubElement(urlset, f"{{{SITEMAP_NAMESPACE}}}url")
        # URLs built by the site are percent-encoded; cleaning keeps any other caller's from breaking the XML.
        etree.SubElement(url, f"{{{SITEMAP_NAMESPACE}}}loc").text = clean_text(entry.url)
        if entry.last_modified is not None:
            moment = entry.last_modified.astimezone(dt.timezone.utc).replace(microsecond=0)
            etree.SubElement(url, f"{{{SITEMAP_NAMESPACE}}}lastmod").text = moment.isoformat()
    document = etree.tostring(urlset, xml_declaration=True, encoding="UTF-8")
    if len(document) > MAX_BYTES:
        raise SitemapTooLarge(f"larger than {MAX_BYTES} bytes")
    return document
