"""Following: RSS feeds, the podcast of read-aloud articles and its cover, the sitemap and robots.txt."""
from flask import Blueprint, current_app, make_response, render_template, request, send_from_directory, url_for

from models import Article, Category
from services.content.articles import category_slugs, get_category, latest_published, newest_update, published_slugs
from services.feeds import sitemap as sitemap_protocol
from services.feeds.cover import podcast_cover_path
from services.feeds.podcast import PREWARM_LIMIT, ready_audio
from services.feeds.rss import Episode, FeedInfo, PodcastInfo, podcast_feed, rss_feed
from services.feeds.sitemap import SitemapEntry, sitemap_xml
from services.infra.jobs import BACKGROUND, QueueFull, QueueUnavailable
from web.background import audio_job
from web.site_services import site_services
from web.urls import public_url

bp = Blueprint("feeds", __name__)
# For the Open Graph tags and robots.txt, which this blueprint's templates hold.
bp.add_app_template_global(public_url)

FEED_ITEMS = 30
# The podcast looks at this many of the newest articles and lists those whose audio is ready.
PODCAST_ARTICLES = 30
FEED_MAX_AGE = 300
# Stands for any article's slug in robots.txt, where "*" is the wildcard (RFC 9309).
_ANY_SLUG = "slug-cua-moi-bai"


def _feed_response(body: bytes, mimetype: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def _article_url(article: Article) -> str:
    return public_url("reading.article", slug=article.slug)


def _channel(slug: str | None) -> tuple[Category | None, str, str]:
    """The category a feed is of (None for the whole site), the channel's title and its page."""
    site_name = current_app.config["SITE_NAME"]
    if slug is None:
        return None, site_name, public_url("reading.index")
    category = get_category(slug)
    return category, f"{category.name} — {site_name}", public_url("reading.category", slug=category.slug)


def _this_feed_url() -> str:
    return public_url(request.endpoint, **request.view_args)


@bp.get("/rss.xml", defaults={"slug": None})
@bp.get("/chuyen-muc/<slug>/rss.xml")
def rss(slug):
    """RSS 2.0 of the latest articles, of the whole site or of one category."""
    category, title, site_url = _channel(slug)
    info = FeedInfo(title=title, description=f"Tin mới nhất của {title}.", site_url=site_url, feed_url=_this_feed_url())
    articles = latest_published(FEED_ITEMS, category)
    return _feed_response(rss_feed(info, articles, _article_url), "application/rss+xml")


@bp.get("/podcast.xml", defaults={"slug": None})
@bp.get("/chuyen-muc/<slug>/podcast.xml")
def podcast(slug):
    """The podcast: the latest articles whose read-aloud audio is ready; the rest are being made."""
    category, title, site_url = _channel(slug)
    services = site_services()
    speech = services.speech
    ready, missing = ready_audio(speech, latest_published(PODCAST_ARTICLES, category))
    if missing and current_app.config["PODCAST_PREWARM_IN_BACKGROUND"]:
        _queue_missing_audio(missing[:PREWARM_LIMIT])
    episodes = [
        Episode(
            article=audio.article,
            page_url=_article_url(audio.article),
            audio_url=public_url("listening.article_audio", slug=audio.article.slug, v=speech.version(audio.article)),
            audio_bytes=audio.size_bytes,
            duration_seconds=audio.duration_seconds,
        )
        for audio in ready
    ]
    info = PodcastInfo(
        title=f"Đọc bài — {title}",
        description=f"Các bài mới của {title}, đọc thành tiếng.",
        site_url=site_url,
        feed_url=_this_feed_url(),
        author=current_app.config["SITE_NAME"],
        owner_email=current_app.config["PODCAST_OWNER_EMAIL"],
        cover_url=public_url("feeds.podcast_cover"),
    )
    return _feed_response(podcast_feed(info, episodes), "application/rss+xml")


def _queue_missing_audio(articles) -> None:
    """Queue the audio of a few episodes still without it, behind anything a listener waits for; a job already
    queued is not queued again, so polling podcast apps cannot pile up work."""
    jobs = site_services().jobs
    try:
        for article in articles:
            jobs.enqueue(audio_job(article, BACKGROUND))
    except (QueueFull, QueueUnavailable) as error:
        current_app.logger.warning("Podcast audio not queued: %s", error)


@bp.get("/podcast-bia.png")
def podcast_cover():
    """The podcast's square cover image, made on first request."""
    media_root = current_app.config["MEDIA_ROOT"]
    return send_from_directory(media_root, podcast_cover_path(media_root, current_app.config["SITE_NAME"]), max_age=86400)


@bp.get("/sitemap.xml")
def sitemap():
    """Every published article, category and list page, for search engines."""
    entries = [SitemapEntry(public_url("reading.index"), newest_update())]
    entries += [SitemapEntry(public_url(endpoint)) for endpoint in ("reading.photos", "reading.videos")]
    entries += [SitemapEntry(public_url("reading.category", slug=slug)) for slug in category_slugs()]
    # Newest first, only as many as one sitemap file holds: see services.feeds.sitemap.MAX_URLS.
    room = max(0, sitemap_protocol.MAX_URLS - len(entries))
    entries += [SitemapEntry(public_url("reading.article", slug=slug), updated) for slug, updated in published_slugs(room)]
    return _feed_response(sitemap_xml(entries), "application/xml")


def _for_every_article(endpoint: str) -> str:
    return url_for(endpoint, slug=_ANY_SLUG).replace(_ANY_SLUG, "*")


@bp.get("/robots.txt")
def robots():
    """Crawlers may read every page, but not search results or the audio and PDFs each costs to make."""
    disallowed = [url_for("finding.search")] + [
        _for_every_article(endpoint)
        for endpoint in ("printing.article_pdf", "listening.article_audio", "listening.manifest")
    ]
    response = make_response(render_template("feeds/robots.txt", disallowed=disallowed))
    response.mimetype = "text/plain"
    return response
