"""Finding and following: search, RSS feeds, the podcast of read-aloud articles, the sitemap and robots.txt."""
import click
from flask import Blueprint, current_app, make_response, render_template, request, send_from_directory, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from web.htmx import render_page_or_fragment
from web.urls import public_url
from extensions import db
from models import Article, Category
from services.article_audio import article_segments, audio_version, narrator_for_app
from services.articles import articles_in_category, get_category, published_articles
from services.feeds import Episode, FeedInfo, PodcastInfo, podcast_feed, rss_feed
from services.pagination import paginate_clamped, parse_page
from services.podcast import podcast_cover_path, prewarm_in_background, ready_audio
from services.search import rebuild_search_index, search_articles
from services.search_text import highlight, html_to_text, parse_query, result_snippet
from services import sitemap as sitemap_protocol
from services.sitemap import SitemapEntry, sitemap_xml

bp = Blueprint("finding", __name__)
# For the Open Graph tags and robots.txt, which this blueprint's templates hold.
bp.add_app_template_global(public_url)

FEED_ITEMS = 30
# The podcast looks at this many of the newest articles and lists those whose audio is ready.
PODCAST_ARTICLES = 30
FEED_MAX_AGE = 300


@bp.get("/tim-kiem")
def search():
    """Articles matching the reader's words, without regard to case or diacritics, best match first."""
    query = parse_query(request.args.get("q"))
    pagination = None
    results = []
    if not query.is_empty:
        pagination = paginate_clamped(
            search_articles(query), parse_page(request.args.get("trang")), current_app.config["ARTICLES_PER_PAGE"]
        )
        results = [
            {
                "article": article,
                "title": highlight(article.title, query),
                "snippet": result_snippet(article.summary, html_to_text(article.body_html), query),
            }
            for article in pagination.items
        ]
    return render_page_or_fragment(
        "finding/search.html", "finding/_results.html",
        query=query, pagination=pagination, results=results,
        list_endpoint="finding.search", list_args={"q": query.text},
    )


def _feed_response(body: bytes, mimetype: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def _feed_articles(category: Category | None, limit: int) -> list[Article]:
    statement = published_articles() if category is None else articles_in_category(category)
    return list(db.session.execute(statement.limit(limit)).scalars())


def _article_url(article: Article) -> str:
    return public_url("reading.article", slug=article.slug)


def _channel_names(category: Category | None) -> tuple[str, str]:
    site_name = current_app.config["SITE_NAME"]
    if category is None:
        return site_name, public_url("reading.index")
    return f"{category.name} — {site_name}", public_url("reading.category", slug=category.slug)


def _this_feed_url() -> str:
    return public_url(request.endpoint, **request.view_args)


def _rss(category: Category | None):
    title, site_url = _channel_names(category)
    info = FeedInfo(
        title=title,
        description=f"Tin mới nhất của {title}.",
        site_url=site_url,
        feed_url=_this_feed_url(),
    )
    return _feed_response(rss_feed(info, _feed_articles(category, FEED_ITEMS), _article_url), "application/rss+xml")


@bp.get("/rss.xml")
def rss():
    """RSS 2.0 of the latest articles."""
    return _rss(None)


@bp.get("/chuyen-muc/<slug>/rss.xml")
def category_rss(slug):
    """RSS 2.0 of the latest articles of one category."""
    return _rss(get_category(slug))


def _podcast(category: Category | None):
    narrator = narrator_for_app(current_app)
    ready, missing = ready_audio(narrator, _feed_articles(category, PODCAST_ARTICLES))
    if missing and current_app.config.get("PODCAST_PREWARM_IN_BACKGROUND", True):
        prewarm_in_background(current_app._get_current_object(), [article.id for article in missing])
    episodes = [
        Episode(
            article=audio.article,
            page_url=_article_url(audio.article),
            audio_url=public_url(
                "listening.article_audio", slug=audio.article.slug, v=audio_version(article_segments(audio.article))
            ),
            audio_bytes=audio.size_bytes,
            duration_seconds=audio.duration_seconds,
        )
        for audio in ready
    ]
    title, site_url = _channel_names(category)
    info = PodcastInfo(
        title=f"Đọc bài — {title}",
        description=f"Các bài mới của {title}, đọc thành tiếng.",
        site_url=site_url,
        feed_url=_this_feed_url(),
        author=current_app.config["SITE_NAME"],
        owner_email=current_app.config.get("PODCAST_OWNER_EMAIL", ""),
        cover_url=public_url("finding.podcast_cover"),
    )
    return _feed_response(podcast_feed(info, episodes), "application/rss+xml")


@bp.get("/podcast.xml")
def podcast():
    """The podcast: the latest articles whose read-aloud audio is ready; the rest are being made."""
    return _podcast(None)


@bp.get("/chuyen-muc/<slug>/podcast.xml")
def category_podcast(slug):
    """The podcast of one category."""
    return _podcast(get_category(slug))


@bp.get("/podcast-bia.png")
def podcast_cover():
    """The podcast's square cover image, made on first request."""
    media_root = current_app.config["MEDIA_ROOT"]
    return send_from_directory(media_root, podcast_cover_path(media_root, current_app.config["SITE_NAME"]), max_age=86400)


@bp.get("/sitemap.xml")
def sitemap():
    """Every published article, category and list page, for search engines."""
    newest = db.session.execute(published_articles().with_only_columns(Article.updated_at).limit(1)).scalar()
    entries = [SitemapEntry(public_url("reading.index"), newest)]
    entries += [
        SitemapEntry(public_url(endpoint))
        for endpoint in ("reading.photos", "reading.videos")
    ]
    entries += [
        SitemapEntry(public_url("reading.category", slug=slug))
        for slug in db.session.execute(select(Category.slug).order_by(Category.position, Category.name)).scalars()
    ]
    # Newest first, only as many as one sitemap file holds: see services.sitemap.MAX_URLS.
    room = max(0, sitemap_protocol.MAX_URLS - len(entries))
    rows = db.session.execute(published_articles().with_only_columns(Article.slug, Article.updated_at).limit(room))
    entries += [SitemapEntry(public_url("reading.article", slug=slug), updated) for slug, updated in rows]
    return _feed_response(sitemap_xml(entries), "application/xml")


# Stands for any article's slug in robots.txt, where "*" is the wildcard (RFC 9309).
_ANY_SLUG = "slug-cua-moi-bai"


def _for_every_article(endpoint: str) -> str:
    return url_for(endpoint, slug=_ANY_SLUG).replace(_ANY_SLUG, "*")


@bp.get("/robots.txt")
def robots():
    """Crawlers may read every page, but not search results or the audio and PDFs each costs to make."""
    disallowed = [url_for("finding.search")] + [
        _for_every_article(endpoint)
        for endpoint in ("printing.article_pdf", "listening.article_audio", "listening.manifest")
    ]
    response = make_response(render_template("finding/robots.txt", disallowed=disallowed))
    response.mimetype = "text/plain"
    return response


@click.group("search")
def search_group():
    """The search index of the articles."""


@search_group.command("reindex")
@with_appcontext
def reindex_command():
    """Index every article again (the index normally keeps itself current through database triggers)."""
    with db.engine.begin() as connection:
        count = rebuild_search_index(connection)
    click.echo(f"Đã lập chỉ mục tìm kiếm cho {count} bài viết.")


commands = [search_group]
