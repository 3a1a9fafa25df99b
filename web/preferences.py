"""The reader's preferences as this request carries them (cookie and Save-Data), for every blueprint."""
from flask import g, request

from services.preferences import COOKIE_NAME, ReadingPreferences, parse_preferences, save_data_requested
from web.http_caching import vary_on


def reading_preferences() -> ReadingPreferences:
    """This reader's preferences, from their cookie."""
    if "reading_preferences" not in g:
        # Most readers and every crawler send no cookie at all: their pages skip werkzeug's cookie parsing, which
        # a page served from memory would otherwise spend a twentieth of its time on.
        cookie = request.cookies.get(COOKIE_NAME) if "HTTP_COOKIE" in request.environ else None
        g.reading_preferences = parse_preferences(cookie)
    return g.reading_preferences


def browser_saves_data() -> bool:
    """Whether the browser sent `Save-Data: on`."""
    return save_data_requested(request.headers.get("Save-Data"))


def saving_data() -> bool:
    """Whether this page should hold back images and videos until the reader asks for them."""
    if "saving_data" not in g:
        g.saving_data = reading_preferences().saving_data(browser_saves_data())
    return g.saving_data


def html_classes() -> str:
    """The preference classes for this page's <html> element."""
    return reading_preferences().html_classes(saving_data())


def current_path() -> str:
    """This page's path and query, to come back to after changing a preference."""
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def _vary_on_preferences(response):
    # A page that read the preferences differs by the cookie and by Save-Data; caches must know.
    if "reading_preferences" in g:
        vary_on(response, "Cookie", "Save-Data")
    return response


def init_preferences(app):
    """Preferences in every template, and the Vary headers of the pages that read them."""
    for helper in (reading_preferences, saving_data, html_classes, current_path):
        app.add_template_global(helper)
    app.after_request(_vary_on_preferences)
