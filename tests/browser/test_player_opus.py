"""The data saver's Opus in Debian's Chromium: the player plays each sentence's Ogg Opus when the reader saves data
(the site's switch or Save-Data), the MP3 otherwise; the page's own <audio> plays the whole Opus first."""
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from services.content.articles import published_articles
from tests.browser.conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

AUDIO = ".player audio"
PLAYER = ".player"
PLAYBACK_TIMEOUT = 30_000  # espeak makes the first segment (and its Opus) on demand


@pytest.fixture(scope="module")
def article_url(live_app, live_server):
    with live_app.app_context():
        slug = db.session.execute(published_articles().offset(3).limit(1)).scalars().one().slug
    return f"{live_server}/bai-viet/{slug}"


@pytest.fixture
def saving_page(browser, live_server):
    """A phone's page whose reader switched the site's data saver on."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    context.add_cookies([{"name": "reading", "value": "data=on", "url": live_server}])
    yield context.new_page()
    context.close()


@pytest.fixture
def save_data_page(browser):
    """A phone's page whose browser sends Save-Data: on."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", extra_http_headers={"Save-Data": "on"})
    yield context.new_page()
    context.close()


def _listen_and_skip(page, article_url):
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "playing", timeout=PLAYBACK_TIMEOUT)


@pytest.mark.parametrize("page_fixture", ["saving_page", "save_data_page"])
def test_the_player_plays_opus_under_the_data_saver(request, article_url, page_fixture):
    page = request.getfixturevalue(page_fixture)
    _listen_and_skip(page, article_url)
    expect(page.locator(AUDIO)).to_have_attribute("src", re.compile(r"/nghe/0\.opus\?v="))
    # Chromium decoded it: time runs on in the Opus file.
    expect(page.locator(AUDIO)).not_to_have_js_property("currentTime", 0, timeout=PLAYBACK_TIMEOUT)
    page.get_by_role("button", name="Đoạn sau").click()
    expect(page.locator(AUDIO)).to_have_attribute("src", re.compile(r"/nghe/1\.opus\?v="))
    expect(page.locator(PLAYER)).to_have_attribute("data-state", "playing", timeout=PLAYBACK_TIMEOUT)


def test_the_player_plays_mp3_without_the_data_saver(browser_page, article_url):
    _listen_and_skip(browser_page, article_url)
    expect(browser_page.locator(AUDIO)).to_have_attribute("src", re.compile(r"/nghe/0\.mp3\?v="))


def test_the_pages_own_audio_takes_the_whole_opus_first(saving_page, article_url, live_server, live_app):
    # Made beforehand, as for any listener after the first: the first one's <audio> takes the MP3 while it is made.
    with live_app.app_context():
        slug = article_url.rsplit("/", 1)[1]
        article = db.session.execute(published_articles().filter_by(slug=slug)).scalars().one()
        live_app.extensions["docbai"].speech.whole_opus(article)
    page = saving_page
    page.goto(article_url)
    source = page.locator(f"{AUDIO} source").first
    expect(source).to_have_attribute("type", "audio/ogg; codecs=opus")
    opus_url = live_server + source.get_attribute("src")
    assert re.search(r"/nghe\.opus\?v=", opus_url)
    # The browser's own choice among the <source>s, as without the player (JavaScript off): the Opus.
    element = page.locator(AUDIO)
    element.evaluate("audio => { audio.preload = 'metadata'; audio.load(); }")
    expect(element).to_have_js_property("currentSrc", opus_url, timeout=PLAYBACK_TIMEOUT)
