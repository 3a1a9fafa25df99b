"""Absolute URLs at the site's public address (SITE_URL), never the Host header a request happened to carry."""
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint at SITE_URL, the same from any request or from the command line."""
    # Not url_for(_external=True): that takes the host from the request, and feeds, the sitemap and
    # Open Graph tags are cached publicly, so one request with a forged Host would poison them for all.
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)
