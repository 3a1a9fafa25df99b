"""Template filters and globals shared by every blueprint."""
from flask import g
from sqlalchemy import select

from extensions import db
from models import Category, Link, PhotoItem, Video
from services.formatting import vietnamese_date, vietnamese_datetime, vietnamese_number
from services.pagination import item_range, page_window

SIDEBAR_PHOTOS = 4
SIDEBAR_VIDEOS = 3


def site_navigation():
    """Categories for the menu and the three sidebars, loaded once per request."""
    if "site_navigation" not in g:
        g.site_navigation = {
            "categories": db.session.execute(select(Category).order_by(Category.position, Category.name)).scalars().all(),
            "photos": db.session.execute(
                select(PhotoItem).order_by(PhotoItem.taken_at.desc()).limit(SIDEBAR_PHOTOS)
            ).scalars().all(),
            "videos": db.session.execute(
                select(Video).order_by(Video.published_at.desc()).limit(SIDEBAR_VIDEOS)
            ).scalars().all(),
            "links": db.session.execute(select(Link).order_by(Link.position)).scalars().all(),
        }
    return g.site_navigation


def register_template_helpers(app):
    """Make the Vietnamese formatters and pager helpers available in every template."""
    app.add_template_filter(vietnamese_datetime, "vn_datetime")
    app.add_template_filter(vietnamese_date, "vn_date")
    app.add_template_filter(vietnamese_number, "vn_number")
    app.add_template_global(site_navigation)
    app.add_template_global(page_window)
    app.add_template_global(item_range)
