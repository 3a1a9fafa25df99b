"""Template filters and globals shared by every blueprint."""
from functools import partial
from zoneinfo import ZoneInfo

from flask import g

from services.content.articles import navigation_content
from services.content.formatting import vietnamese_datetime, vietnamese_number
from services.content.pagination import item_range, page_window


def site_navigation():
    """Categories for the menu and the three sidebars, loaded once per request."""
    if "site_navigation" not in g:
        g.site_navigation = navigation_content()
    return g.site_navigation


def register_template_helpers(app):
    """Make the Vietnamese formatters (in the site's TIMEZONE) and pager helpers available in every template."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    app.add_template_filter(partial(vietnamese_datetime, zone=zone), "vn_datetime")
    app.add_template_filter(vietnamese_number, "vn_number")
    app.add_template_global(site_navigation)
    app.add_template_global(page_window)
    app.add_template_global(item_range)
