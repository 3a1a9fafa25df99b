"""The one place that decides between an htmx fragment and a whole page."""
from flask import make_response, render_template, request

from web.http_caching import vary_on


def wants_fragment() -> bool:
    """An htmx request gets a fragment, except a history restore, which needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(page_template: str, fragment_template: str, **context):
    """Render the fragment for htmx and the full page otherwise; caches are told the two differ."""
    fragment = wants_fragment()
    response = make_response(render_template(fragment_template if fragment else page_template,
                                             fragment=fragment, **context))
    vary_on(response, "HX-Request")
    return response
