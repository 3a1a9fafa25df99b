"""Reading: the latest articles, categories, an article, the photo and video libraries, media files."""
from flask import Blueprint, abort, current_app, make_response, request, send_from_directory
from markupsafe import Markup

from services.content.article_body import body_for_display
from services.content.articles import (
    articles_in_category,
    get_published_article,
    newest_published,
    published_total,
    published_article_id,
    other_articles,
    photo_library,
    published_articles,
    video_library,
    with_thumbnails,
)
from services.content.pagination import KnownPagination, clamped_page, paginate_clamped, paginate_counted, parse_page
from services.media.store import MEDIA_URL_PATH, fetch_media
from services.statistics.counting import VIEW
from web.assets import CONTENT_NAMED_MEDIA, IMMUTABLE
from web.counting import is_counted_request, today
from web.htmx import render_page_or_fragment
from web.page_cache import VIEWS_SENTINEL, cached_page, cached_value, shared_part
from web.site_services import site_services
from web.templating import site_navigation

bp = Blueprint("reading", __name__)

# The smallest transparent GIF: the view beacon's answer.
TRANSPARENT_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b")


def _page() -> int:
    return parse_page(request.args.get("trang"))


def _render_list(query, per_page_setting, page_template, fragment_template, list_args=None, total=None):
    """One paginated list: the page for a reader, the list alone for htmx; kept until the content changes.

    query() gives the select of the items and what else the templates show; total(context), if given, the number
    of items as every page of the list shares it (web.page_cache.shared_part), instead of a count per page."""

    def render():
        statement, context = query()
        per_page = current_app.config[per_page_setting]
        if total is None:
            pagination = paginate_clamped(statement, _page(), per_page)
        else:
            pagination = paginate_counted(statement, _page(), per_page, total(context))
        return render_page_or_fragment(
            page_template, fragment_template,
            pagination=pagination, list_endpoint=request.endpoint, list_args=list_args or {}, **context,
        ), {}

    return cached_page(render)


@bp.get("/")
def index():
    """The latest published articles, paginated."""
    return _render_list(
        lambda: (with_thumbnails(published_articles()), {}), "ARTICLES_PER_PAGE", "reading/index.html",
        "reading/_article_list.html", total=lambda context: shared_part("published-total", published_total),
    )


@bp.get("/chuyen-muc/<slug>")
def category(slug):
    """One category's published articles, paginated."""

    def query():
        category = next((shown for shown in site_navigation().categories if shown.slug == slug), None)
        if category is None:
            abort(404)
        return with_thumbnails(articles_in_category(category)), {"category": category}

    def total(context):
        category_id = context["category"].id
        return shared_part(f"published-total:{category_id}", lambda: published_total(category_id))

    return _render_list(
        query, "ARTICLES_PER_PAGE", "reading/category.html", "reading/_article_list.html", list_args={"slug": slug},
        total=total,
    )


@bp.get("/bai-viet/<slug>")
def article(slug):
    """An article with its figures, byline and the "Các tin khác" box; its view count as it stands now."""

    def render():
        article = get_published_article(slug)
        site_services().views.remember_stored(article.id, article.views)  # the count below, without a query
        others = _other_articles_page(article, _page(), current_app.config["OTHER_ARTICLES_PER_PAGE"])
        return render_page_or_fragment(
            "reading/article.html", "reading/_other_articles.html",
            article=article, others=others, views=VIEWS_SENTINEL,
            body=Markup(body_for_display(article.content_hash, article.body_html)),
        ), {"id": article.id, "views": article.views}

    # The count the page was rendered with stands in when the database is away (ArticleViews.shown).
    return cached_page(render, views=lambda facts: site_services().views.shown(facts["id"], facts.get("views")))


def _other_articles_page(article, page: int, per_page: int) -> KnownPagination:
    """The "Các tin khác" box's page: its total, and on the first page (every article's) its items, taken from
    what all articles share (web.page_cache.shared_part), so an article's page costs only its own queries."""
    total = shared_part("published-total", published_total) - 1  # this article is among them
    if clamped_page(page, total, per_page) != 1:
        return paginate_counted(other_articles(article), page, per_page, total)
    newest = shared_part(f"newest:{per_page + 1}", lambda: newest_published(per_page + 1))
    return KnownPagination(1, per_page, [item for item in newest if item.id != article.id][:per_page], total)


@bp.get("/bai-viet/<slug>/xem.gif")
def view_beacon(slug):
    """One reader's view of an article, counted by the page's 1×1 image: pages served from a proxy's cache
    count too, with or without JavaScript. Never cached anywhere, so each view reaches the server."""
    article_id = cached_value(f"article-id:{slug}", lambda: published_article_id(slug))
    if article_id is None:
        abort(404)
    # Only a reader opening the page counts: not HEAD, not an htmx fragment, not a prefetch, not a crawler.
    if is_counted_request():
        site_services().views.count(article_id)  # kept in this process while Redis is away
        site_services().events.count(article_id, today(), VIEW)  # the day's count, for the statistics
    response = make_response(TRANSPARENT_GIF)
    response.mimetype = "image/gif"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/thu-vien-anh")
def photos():
    """The photo library, paginated."""
    return _render_list(lambda: (photo_library(), {}), "PHOTOS_PER_PAGE", "reading/photos.html", "reading/_photo_list.html")


@bp.get("/thu-vien-video")
def videos():
    """The video library: posters, local files played on request, external videos as plain links."""
    return _render_list(lambda: (video_library(), {}), "PHOTOS_PER_PAGE", "reading/videos.html", "reading/_video_list.html")


@bp.get(f"{MEDIA_URL_PATH}<path:filename>")
def media(filename):
    """Images and other files from the media store."""
    # With a bucket, a file this host has not served yet is copied from it first (StorageUnavailable while it
    # is away: the designed 503, blueprints/errors.py).
    fetch_media(current_app.config["MEDIA_ROOT"], filename, site_services().media)
    response = send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=86400)
    if CONTENT_NAMED_MEDIA.match(filename):
        response.headers["Cache-Control"] = IMMUTABLE  # named after its content, so it never changes
    return response
