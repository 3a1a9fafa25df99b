"""Template filters and globals shared by every blueprint."""
from functools import partial
from zoneinfo import ZoneInfo

from flask import render_template
from markupsafe import Markup

from services.content.articles import navigation_content
from services.content.formatting import vietnamese_datetime, vietnamese_number
from services.content.pagination import item_range, page_window
from web.page_cache import shared_part
from web.preferences import saving_data


def site_navigation():
    """Categories for the menu and the three sidebars, loaded once per content version in each process."""
    return shared_part("navigation", lambda: (navigation_content(), None))


def shared_sidebars() -> Markup:
    """The sidebars (Thư viện ảnh, Thư viện Video, Liên kết), the same on every reading page: rendered once per
    content version and data-saver choice in each process (with data saving on, thumbnails are left out)."""
    saving = saving_data()
    return shared_part(
        "sidebars:saving" if saving else "sidebars", lambda: (Markup(render_template("_sidebars.html")), None)
    )


def register_template_helpers(app):
    """Make the Vietnamese formatters (in the site's TIMEZONE) and pager helpers available in every template."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    app.add_template_filter(partial(vietnamese_datetime, zone=zone), "vn_datetime")
    app.add_template_filter(vietnamese_number, "vn_number")
    app.add_template_global(site_navigation)
    app.add_template_global(shared_sidebars)
    app.add_template_global(page_window)
    app.add_template_global(item_range)
