"""Following the site: RSS, the podcast of read-aloud articles, the sitemap, robots.txt and Open Graph tags."""
import datetime as dt
from io import BytesIO
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree
from PIL import Image

from extensions import db
from models import Article, Category
from services.feeds import sitemap as sitemap_protocol
from services.feeds.podcast import PREWARM_LIMIT, ready_audio
from services.feeds.rss import podcast_guid
from services.feeds.sitemap import SITEMAP_NAMESPACE, SitemapEntry

RSS_TYPE = "application/rss+xml"
# Absolute URLs are at the test app's SITE_URL, whatever Host a request carries.


def _path(url):
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "127.0.0.1:5000", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def quiet_app(app):
    """The app without background prewarm, so a feed request starts no synthesis behind the test's back."""
    app.config["PODCAST_PREWARM_IN_BACKGROUND"] = False
    return app


@pytest.fixture
def two_categories(app, make_article):
    """Three articles in "Tin tức" and one in "Kinh tế", plus a draft nobody may see."""
    articles = [make_article(title=f"Tin số {number}", summary=f"Tóm tắt tin {number}.") for number in range(3)]
    articles.append(make_article(title="Giá quế tăng", slug="gia-que"))
    with app.app_context():
        economy = Category(name="Kinh tế", slug="kinh-te")
        db.session.get(Article, articles[-1].id).category = economy
        db.session.commit()
    make_article(title="Bản nháp", slug="ban-nhap", status="draft")
    return articles


def test_rss_is_valid_with_absolute_links(client, two_categories):
    response = client.get("/rss.xml")
    assert response.status_code == 200
    assert response.mimetype == RSS_TYPE
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.language == "vi"
    assert feed.feed.link == "http://127.0.0.1:5000/"
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Tin số 0", "Tin số 1", "Tin số 2", "Giá quế tăng"]
    for entry in feed.entries:
        assert entry.link.startswith("http://127.0.0.1:5000/bai-viet/")
        assert entry.id == entry.link
        assert entry.published_parsed
        assert client.get(_path(entry.link)).status_code == 200
    assert feed.entries[0].summary == "Tóm tắt tin 0."
    assert feed.entries[0].author == "Minh Anh"
    assert feed.entries[3].tags[0].term == "Kinh tế"


def test_category_rss_lists_only_that_category(client, two_categories):
    feed = feedparser.parse(client.get("/chuyen-muc/kinh-te/rss.xml").data)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == ["Giá quế tăng"]
    assert feed.feed.title.startswith("Kinh tế")
    assert feed.feed.link == "http://127.0.0.1:5000/chuyen-muc/kinh-te"
    assert client.get("/chuyen-muc/khong-co/rss.xml").status_code == 404


def test_feeds_answer_a_repeated_request_with_304(client, two_categories):
    first = client.get("/rss.xml")
    assert first.headers["ETag"]
    again = client.get("/rss.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_empty_site_still_has_valid_feeds(quiet_app, client):
    for path in ("/rss.xml", "/podcast.xml"):
        feed = feedparser.parse(client.get(path).data)
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.entries == []


def test_podcast_lists_nothing_until_audio_is_made_and_never_synthesizes_inline(quiet_app, client, two_categories):
    feed = feedparser.parse(client.get("/podcast.xml").data)
    assert feed.bozo == 0
    assert feed.entries == []
    with quiet_app.app_context():
        assert not any(quiet_app.extensions["docbai"].speech.narrator.cache.keys())


def _prewarm(app, slugs=None):
    with app.app_context():
        statement = db.select(Article).where(Article.status == "published")
        if slugs is not None:
            statement = statement.where(Article.slug.in_(slugs))
        articles = db.session.execute(statement).scalars().all()
        report = app.extensions["docbai"].speech.prewarm(articles)
        assert report.failed == []
        return report.made


def test_podcast_enclosures_are_real_mp3s_of_the_stated_length(quiet_app, client, two_categories):
    assert _prewarm(quiet_app, ["bai-viet-so-1", "bai-viet-so-2"]) == 2
    response = client.get("/podcast.xml")
    assert response.mimetype == RSS_TYPE
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == ["Tin số 0", "Tin số 1"]
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        audio = client.get(_path(enclosure.href))
        assert audio.status_code == 200
        assert audio.mimetype == "audio/mpeg"
        assert int(enclosure.length) == len(audio.data) > 1000
        assert audio.data[:3] == b"ID3" or audio.data[0] == 0xFF  # an MP3 frame or tag, not an error page
        assert int(entry.itunes_duration) >= 1
        assert entry.link.startswith("http://127.0.0.1:5000/bai-viet/")


def test_podcast_has_itunes_and_podcasting_2_tags(quiet_app, client, two_categories):
    quiet_app.config["PODCAST_OWNER_EMAIL"] = "toasoan@donglam.example"
    _prewarm(quiet_app)
    body = client.get("/podcast.xml").data
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert feed.feed.language == "vi"
    assert feed.feed.author == "Cổng thông tin điện tử huyện Đồng Lâm"
    assert feed.feed.image.href == "http://127.0.0.1:5000/podcast-bia.png"
    root = etree.fromstring(body)
    channel = root.find("channel")
    namespaces = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
                  "podcast": "https://podcastindex.org/namespace/1.0"}
    assert channel.find("itunes:image", namespaces).get("href") == "http://127.0.0.1:5000/podcast-bia.png"
    assert channel.find("itunes:category", namespaces).get("text") == "Government"
    assert channel.find("itunes:explicit", namespaces).text == "false"
    assert channel.find("podcast:guid", namespaces).text == podcast_guid("http://127.0.0.1:5000/podcast.xml")
    assert channel.find("podcast:locked", namespaces).text == "yes"
    assert channel.find("itunes:owner/itunes:email", namespaces).text == "toasoan@donglam.example"
    items = channel.findall("item")
    assert len(items) == 4
    for item in items:
        transcript = item.find("podcast:transcript", namespaces)
        assert transcript.get("url") == item.findtext("link")
        assert transcript.get("type") == "text/html"
        assert item.find("itunes:duration", namespaces).text.isdigit()


def test_podcast_guid_follows_the_podcasting_2_spec():
    # The example the Podcasting 2.0 namespace gives for podcast:guid.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_category_podcast_lists_only_that_category(quiet_app, client, two_categories):
    _prewarm(quiet_app)
    feed = feedparser.parse(client.get("/chuyen-muc/kinh-te/podcast.xml").data)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == ["Giá quế tăng"]
    assert client.get("/chuyen-muc/khong-co/podcast.xml").status_code == 404


def test_the_cover_is_a_square_png_podcast_apps_accept(client):
    response = client.get("/podcast-bia.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(BytesIO(response.data)) as cover:
        assert cover.format == "PNG"
        assert cover.size[0] == cover.size[1] and 1400 <= cover.size[0] <= 3000


def test_a_feed_request_queues_a_few_missing_episodes_behind_listeners(app, two_categories):
    from services.infra.jobs import BACKGROUND

    jobs = app.extensions["docbai"].jobs
    queued = []
    jobs.enqueue = lambda job: queued.append(job) or True
    app.test_client().get("/podcast.xml")
    assert len(queued) == PREWARM_LIMIT
    assert {job.task for job in queued} == {"web.background:make_article_audio"}
    assert {job.priority for job in queued} == {BACKGROUND}


def test_the_queued_episodes_get_their_audio_and_join_the_feed(app, two_categories):
    client = app.test_client()
    before = feedparser.parse(client.get("/podcast.xml").data)
    assert app.extensions["docbai"].jobs.drain(timeout=120)
    after = feedparser.parse(client.get("/podcast.xml").data)
    assert len(after.entries) == len(before.entries) + PREWARM_LIMIT
    with app.app_context():
        ready, _ = ready_audio(app.extensions["docbai"].speech, db.session.execute(db.select(Article)).scalars().all())
    assert len(ready) == len(after.entries)


def test_sitemap_lists_every_published_page_with_absolute_urls(client, two_categories):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    assert root.tag == f"{{{SITEMAP_NAMESPACE}}}urlset"
    urls = [element.text for element in root.iter(f"{{{SITEMAP_NAMESPACE}}}loc")]
    assert len(urls) == len(set(urls))
    assert all(url.startswith("http://127.0.0.1:5000/") for url in urls)
    expected = {
        "http://127.0.0.1:5000/", "http://127.0.0.1:5000/thu-vien-anh", "http://127.0.0.1:5000/thu-vien-video",
        "http://127.0.0.1:5000/chuyen-muc/tin-tuc", "http://127.0.0.1:5000/chuyen-muc/kinh-te",
        "http://127.0.0.1:5000/bai-viet/gia-que",
    } | {f"http://127.0.0.1:5000/bai-viet/bai-viet-so-{number}" for number in (1, 2, 3)}
    assert set(urls) == expected
    lastmods = [element.text for element in root.iter(f"{{{SITEMAP_NAMESPACE}}}lastmod")]
    assert lastmods and all(dt.datetime.fromisoformat(value).tzinfo for value in lastmods)


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in lines
    assert "Disallow: /tim-kiem" in lines
    # What each request costs the server to make is kept from crawlers.
    assert {"Disallow: /bai-viet/*/in.pdf", "Disallow: /bai-viet/*/nghe.mp3"} <= set(lines)


def test_pages_announce_their_feeds_and_open_graph(client, two_categories):
    home = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    feeds = {link["href"] for link in home.find_all("link", attrs={"rel": "alternate", "type": RSS_TYPE})}
    assert feeds == {"/rss.xml", "/podcast.xml"}
    assert home.find("meta", attrs={"property": "og:type"})["content"] == "website"
    assert home.find("meta", attrs={"property": "og:url"})["content"] == "http://127.0.0.1:5000/"

    category = BeautifulSoup(client.get("/chuyen-muc/kinh-te").get_data(as_text=True), "html.parser")
    feeds = {link["href"] for link in category.find_all("link", attrs={"rel": "alternate", "type": RSS_TYPE})}
    assert {"/chuyen-muc/kinh-te/rss.xml", "/chuyen-muc/kinh-te/podcast.xml"} <= feeds

    article = BeautifulSoup(client.get("/bai-viet/gia-que").get_data(as_text=True), "html.parser")
    meta = {tag["property"]: tag["content"] for tag in article.find_all("meta", attrs={"property": True})}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Giá quế tăng"
    assert meta["og:url"] == "http://127.0.0.1:5000/bai-viet/gia-que"
    assert meta["og:locale"] == "vi_VN"
    assert meta["og:image"].startswith("http://127.0.0.1:5000/")
    assert meta["article:section"] == "Kinh tế"


def test_feeds_and_sitemap_on_every_engine(db_app, make_article):
    first = make_article(title="Giao quân năm 2024")
    second = make_article(title="Khám sức khỏe miễn phí")
    client = db_app.test_client()
    feed = feedparser.parse(client.get("/rss.xml").data)
    assert feed.bozo == 0
    assert [entry.title for entry in feed.entries] == [first.title, second.title]
    root = etree.fromstring(client.get("/sitemap.xml").data)
    urls = {element.text for element in root.iter(f"{{{SITEMAP_NAMESPACE}}}loc")}
    assert {f"http://127.0.0.1:5000/bai-viet/{first.slug}", f"http://127.0.0.1:5000/bai-viet/{second.slug}"} <= urls


def test_a_forged_host_never_reaches_a_publicly_cached_url(quiet_app, client, two_categories):
    # These responses are cached publicly: one request with a forged Host must not poison them for everyone.
    _prewarm(quiet_app)
    forged = {"Host": "evil.example"}
    rss = feedparser.parse(client.get("/rss.xml", headers=forged).data)
    links = [rss.feed.link] + [entry.link for entry in rss.entries]
    podcast = feedparser.parse(client.get("/podcast.xml", headers=forged).data)
    links += [podcast.feed.link, podcast.feed.image.href]
    links += [entry.enclosures[0].href for entry in podcast.entries] + [entry.link for entry in podcast.entries]
    assert podcast.entries
    sitemap = etree.fromstring(client.get("/sitemap.xml", headers=forged).data)
    links += [element.text for element in sitemap.iter(f"{{{SITEMAP_NAMESPACE}}}loc")]
    robots = client.get("/robots.txt", headers=forged).get_data(as_text=True)
    links += [line.removeprefix("Sitemap: ") for line in robots.splitlines() if line.startswith("Sitemap: ")]
    page = BeautifulSoup(client.get("/bai-viet/gia-que", headers=forged).get_data(as_text=True), "html.parser")
    links += [page.find("meta", attrs={"property": name})["content"] for name in ("og:url", "og:image")]
    assert all(link.startswith("http://127.0.0.1:5000/") for link in links), links
    assert "evil.example" not in client.get("/podcast.xml", headers=forged).get_data(as_text=True)


def test_sitemap_past_the_protocol_limit_lists_the_newest_articles(client, two_categories, monkeypatch):
    monkeypatch.setattr(sitemap_protocol, "MAX_URLS", 7)  # home, 2 libraries, 2 categories, 2 articles
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = [element.text for element in etree.fromstring(response.data).iter(f"{{{SITEMAP_NAMESPACE}}}loc")]
    newest = [entry.link for entry in feedparser.parse(client.get("/rss.xml").data).entries[:2]]
    assert len(urls) == 7
    assert urls[-2:] == newest


def test_sitemap_xml_keeps_the_first_entries_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(sitemap_protocol, "MAX_URLS", 3)
    entries = (SitemapEntry(f"https://example.org/{number}") for number in range(10))
    root = etree.fromstring(sitemap_protocol.sitemap_xml(entries))
    locs = [element.text for element in root.iter(f"{{{SITEMAP_NAMESPACE}}}loc")]
    assert locs == ["https://example.org/0", "https://example.org/1", "https://example.org/2"]
