"""The scripts as ES modules in Debian's Chromium: each comes by its fingerprinted URL through the page's import
map, which the CSP lets run, and a browser without import maps still gets working modules by their bare URLs."""
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from services.content.articles import published_articles
from tests.browser.conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

IMPORT_MAP = re.compile(r'<script type="importmap">.*?</script>', re.S)


@pytest.fixture(scope="module")
def article_url(live_app, live_server):
    with live_app.app_context():
        slug = db.session.execute(published_articles().limit(1)).scalars().one().slug
    return f"{live_server}/bai-viet/{slug}"


@pytest.fixture
def page(browser):
    """A phone-sized page that records the scripts it asks for and what it writes to the console."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.scripts = []
    page.console = []
    page.on("request", lambda request: "/static/js/" in request.url and page.scripts.append(request.url))
    page.on("console", lambda message: message.type in ("error", "warning") and page.console.append(message.text))
    yield page
    context.close()


def _expect_scripts_ran(page):
    # player.js takes over the page's <audio controls>; offline.js shows "Lưu"; site.js and offline.js import
    # the shared module, the player its own.
    expect(page.get_by_role("button", name="Đọc bài")).to_be_visible()
    expect(page.get_by_role("button", name="Lưu để nghe/đọc sau")).to_be_visible()


def test_every_script_comes_by_its_fingerprinted_url_once(page, article_url):
    page.goto(article_url)
    _expect_scripts_ran(page)
    paths = [url.split("/static/js/", 1)[1] for url in page.scripts]
    assert {"player.js", "site.js", "offline.js", "player/controller.js", "player/locator.js", "shared/announce.js"} \
        <= {path.partition("?")[0] for path in paths}
    assert all(re.fullmatch(r"[a-z/]+\.js\?v=[0-9a-f]{12}", path) for path in paths), paths
    assert len(paths) == len(set(paths)), "a module preloaded and then fetched again"
    # Nothing refused by the CSP, no module that failed to load, no preload left unused.
    assert page.console == []


def test_without_import_maps_the_modules_load_by_their_bare_urls(page, article_url):
    # As in Safari before 16.4: no import map, so each relative import asks for the module's bare URL.
    def without_import_map(route):
        response = route.fetch()
        route.fulfill(response=response, body=IMPORT_MAP.sub("", response.text()))

    page.route(article_url, without_import_map)
    page.goto(article_url)
    _expect_scripts_ran(page)
    assert any(url.endswith("/static/js/player/controller.js") for url in page.scripts), page.scripts
    assert any(url.endswith("/static/js/shared/announce.js") for url in page.scripts), page.scripts
    page.get_by_role("button", name="Đọc bài").click()
    expect(page.locator(".player")).to_have_attribute("data-state", "playing", timeout=20_000)
