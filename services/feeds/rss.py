"""RSS 2.0 feeds of the latest articles and the podcast of their read-aloud audio, written by feedgen."""
from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING


from models import Article, clean_text

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

# feedgen is imported when a feed is written, not with this module (a page needs none of it).

PODCAST_NAMESPACE = "https://podcastindex.org/namespace/1.0"
ITUNES_NAMESPACE = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# The namespace the Podcasting 2.0 spec fixes for deriving a feed's podcast:guid from its URL.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_GENERATOR = "docbai"


@dataclass(frozen=True)
class FeedInfo:
    title: str
    description: str
    site_url: str  # absolute URL of the page the feed follows
    feed_url: str  # absolute URL of the feed itself
    language: str = "vi"


@dataclass(frozen=True)
class PodcastInfo(FeedInfo):
    author: str = ""
    owner_email: str = ""  # Apple Podcasts mails this address to confirm who owns the show
    cover_url: str = ""  # absolute URL of a square PNG or JPEG, 1400 to 3000 pixels a side
    itunes_category: str = "Government"


@dataclass(frozen=True)
class Episode:
    article: Article
    page_url: str  # absolute URL of the article, which is also the episode's transcript
    audio_url: str  # absolute URL of the MP3
    audio_bytes: int
    duration_seconds: float


@dataclass(frozen=True)
class AudioEpisode:
    """An episode that is not one article (a day's bulletin): its own title, text, page and MP3."""

    title: str
    description: str
    page_url: str  # absolute URL of the episode's page, also its guid
    audio_url: str  # absolute URL of the MP3
    audio_bytes: int
    duration_seconds: float
    published_at: dt.datetime
    updated_at: dt.datetime | None = None


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid of a feed: a UUIDv5 of its URL without the scheme and trailing slash."""
    address = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))


def rss_feed(info: FeedInfo, articles: Sequence[Article], article_url: Callable[[Article], str]) -> bytes:
    """RSS 2.0 of the articles, newest first, every link absolute."""
    feed = _channel(info, articles)
    for article in reversed(articles):  # feedgen puts each new entry first
        _entry(feed, article, article_url(article))
    return feed.rss_str(pretty=False)


def podcast_feed(info: PodcastInfo, episodes: Sequence[Episode]) -> bytes:
    """RSS 2.0 with iTunes and Podcasting 2.0 tags; each episode's enclosure is its article's MP3."""
    feed = _channel(info, [episode.article for episode in episodes])
    _podcast_channel(feed, info)
    for episode in reversed(episodes):
        entry = _entry(feed, episode.article, episode.page_url)
        entry.enclosure(episode.audio_url, str(episode.audio_bytes), "audio/mpeg")
        entry.podcast.itunes_duration(max(1, round(episode.duration_seconds)))
        entry.podcast.itunes_episode_type("full")
        entry.podcastindex.transcript_url = episode.page_url
    return feed.rss_str(pretty=False)


def audio_episodes_feed(info: PodcastInfo, episodes: Sequence[AudioEpisode]) -> bytes:
    """RSS 2.0 with iTunes and Podcasting 2.0 tags of episodes that are not articles, newest first."""
    feed = _feed_head(info, (episode.updated_at or episode.published_at for episode in episodes))
    _podcast_channel(feed, info)
    for episode in reversed(episodes):
        entry = feed.add_entry()
        entry.title(clean_text(episode.title))
        entry.link(href=episode.page_url)
        entry.guid(episode.page_url, permalink=True)
        entry.pubDate(episode.published_at)
        entry.description(description_html(episode.description))
        entry.enclosure(episode.audio_url, str(episode.audio_bytes), "audio/mpeg")
        entry.podcast.itunes_duration(max(1, round(episode.duration_seconds)))
        entry.podcast.itunes_episode_type("full")
    return feed.rss_str(pretty=False)


def _podcast_channel(feed: FeedGenerator, info: PodcastInfo) -> None:
    """The channel's iTunes and Podcasting 2.0 tags."""
    from services.feeds.podcast_index import PodcastIndexEntry, PodcastIndexFeed

    feed.load_extension("podcast")
    feed.register_extension("podcastindex", PodcastIndexFeed, PodcastIndexEntry)
    feed.podcast.itunes_author(info.author or info.title)
    if info.owner_email:
        feed.podcast.itunes_owner(name=info.author or info.title, email=info.owner_email)
    feed.podcast.itunes_summary(clean_text(info.description))
    feed.podcast.itunes_category(info.itunes_category)
    feed.podcast.itunes_type("episodic")
    if info.cover_url:
        feed.image(url=info.cover_url, title=info.title, link=info.site_url)
        feed.podcast.itunes_image(info.cover_url)
    feed.podcastindex.guid = podcast_guid(info.feed_url)


def description_html(summary: str) -> str:
    """An item's <description> from the plain-text summary: readers take it as HTML, so it is escaped as HTML once.

    The XML writer escapes it again; a reader then shows the summary as the site does, "<b>" and "&" included.
    """
    return html.escape(clean_text(summary), quote=False)


def _channel(info: FeedInfo, articles: Sequence[Article]) -> FeedGenerator:
    feed = _feed_head(info, (article.updated_at or article.published_at for article in articles))
    feed.load_extension("dc")
    return feed


def _feed_head(info: FeedInfo, changes: Iterable[dt.datetime]) -> FeedGenerator:
    """A feed with the channel's title, description, links, language, generator and build date."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.title(clean_text(info.title))
    feed.description(clean_text(info.description))
    # feedgen takes the last link as RSS's <link>, which must be the site, not the feed.
    feed.link(href=info.feed_url, rel="self")
    feed.link(href=info.site_url, rel="alternate")
    feed.language(info.language)
    feed.generator(FEED_GENERATOR)
    # The newest change rather than "now", so an unchanged feed is byte for byte the same and its ETag holds.
    feed.lastBuildDate(max(changes, default=None) or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    return feed


def _entry(feed: FeedGenerator, article: Article, url: str):
    # Cleaned again here: rows stored before the model cleaned its text may still hold control characters,
    # which XML cannot carry at all.
    entry = feed.add_entry()
    entry.title(clean_text(article.title))
    entry.link(href=url)
    entry.guid(url, permalink=True)
    entry.pubDate(article.published_at)
    entry.description(description_html(article.summary or article.title))
    if article.author:
        # RSS's own <author> must be an e-mail address; Dublin Core's creator takes a name.
        entry.dc.dc_creator(clean_text(article.author))
    if article.category is not None:
        entry.category(term=clean_text(article.category.name))
    return entry
