"""Reading: the latest articles, categories, an article, the photo and video libraries, media files."""
from flask import Blueprint, current_app, request, send_from_directory
from markupsafe import Markup
from services.article_body import body_for_display
from services.articles import (
    articles_in_category,
    count_view,
    get_category,
    get_published_article,
    other_articles,
    photo_library,
    published_articles,
    video_library,
    with_thumbnails,
)
from services.pagination import paginate_clamped, parse_page
from web.assets import CONTENT_NAMED_MEDIA, IMMUTABLE
from web.htmx import render_page_or_fragment, wants_fragment

bp = Blueprint("reading", __name__)

PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Moz")


def _page() -> int:
    return parse_page(request.args.get("trang"))


def _render_list(statement, per_page_setting, page_template, fragment_template, list_args=None, **context):
    """One paginated list: the page for a reader, the list alone for htmx."""
    pagination = paginate_clamped(statement, _page(), current_app.config[per_page_setting])
    return render_page_or_fragment(
        page_template, fragment_template,
        pagination=pagination, list_endpoint=request.endpoint, list_args=list_args or {}, **context,
    )


@bp.get("/")
def index():
    """The latest published articles, paginated."""
    return _render_list(
        with_thumbnails(published_articles()), "ARTICLES_PER_PAGE", "reading/index.html", "reading/_article_list.html"
    )


@bp.get("/chuyen-muc/<slug>")
def category(slug):
    """One category's published articles, paginated."""
    category = get_category(slug)
    return _render_list(
        with_thumbnails(articles_in_category(category)), "ARTICLES_PER_PAGE", "reading/category.html", "reading/_article_list.html",
        list_args={"slug": slug}, category=category,
    )


def _is_counted_view() -> bool:
    # Only a reader opening the page counts: not HEAD, not an htmx fragment, not a browser prefetch.
    if request.method != "GET" or wants_fragment():
        return False
    return not any("prefetch" in request.headers.get(name, "").lower() for name in PREFETCH_HEADERS)


@bp.get("/bai-viet/<slug>")
def article(slug):
    """An article with its figures, byline and the "Các tin khác" box."""
    article = get_published_article(slug)
    counted = _is_counted_view()
    others = paginate_clamped(other_articles(article), _page(), current_app.config["OTHER_ARTICLES_PER_PAGE"])
    response = render_page_or_fragment(
        "reading/article.html", "reading/_other_articles.html",
        article=article, others=others, views=article.views + counted,
        body=Markup(body_for_display(article.content_hash, article.body_html)),
    )
    if counted:
        # Counted after rendering: the commit would otherwise expire the article and reload it mid-page.
        count_view(article.id)
    return response


@bp.get("/thu-vien-anh")
def photos():
    """The photo library, paginated."""
    return _render_list(photo_library(), "PHOTOS_PER_PAGE", "reading/photos.html", "reading/_photo_list.html")


@bp.get("/thu-vien-video")
def videos():
    """The video library: posters, local files played on request, external videos as plain links."""
    return _render_list(video_library(), "PHOTOS_PER_PAGE", "reading/videos.html", "reading/_video_list.html")


@bp.get("/media/<path:filename>")
def media(filename):
    """Images and other files from the media store."""
    response = send_from_directory(current_app.config["MEDIA_ROOT"], filename, max_age=86400)
    if CONTENT_NAMED_MEDIA.match(filename):
        response.headers["Cache-Control"] = IMMUTABLE  # named after its content, so it never changes
    return response
