"""The bulletin page in Debian's Chromium: a press on an item plays the bulletin from that item's start, the item
is marked and announced, and with JavaScript off each start time still leads to the MP3 at that time. Waits are
locator assertions on the player's data-* attributes (a string predicate would need eval, which the CSP forbids)."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from services.content.articles import published_articles
from web.bulletins import bulletin_desk

pytestmark = pytest.mark.browser

DAY = "2026-12-07"
PLAYER = '[data-module="bulletin-player"]'
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture(scope="module")
def starts(live_app):
    """A published bulletin of five demo articles, read as their summaries, made once: its items' starts."""
    import datetime as dt

    with live_app.app_context():
        desk = bulletin_desk()
        articles = db.session.execute(published_articles().limit(5)).scalars().all()
        bulletin = desk.compose(dt.date.fromisoformat(DAY), articles, {article.id: "summary" for article in articles})
        desk.publish(bulletin)
        db.session.commit()
        made = desk.make(bulletin)
        db.session.commit()
        return [chapter.start for chapter in made.chapters]


def test_a_press_on_the_third_item_plays_the_bulletin_from_its_start(browser_page, live_server, starts):
    page = browser_page
    page.goto(f"{live_server}/ban-tin/")
    player = page.locator(PLAYER).first
    third = player.locator("li").nth(2)
    third.locator("[data-start]").click()
    expect(player).to_have_attribute("data-item", "3")
    expect(third).to_have_attribute("aria-current", "true")
    expect(player).to_have_attribute("data-seeked-to", re.compile(r"^\d"), timeout=20_000)
    assert abs(float(player.get_attribute("data-seeked-to")) - starts[2]) < 0.3
    position = player.locator("audio").evaluate("audio => audio.currentTime")
    assert starts[2] - 0.3 <= position < starts[3], (position, starts)
    expect(player.locator("[data-status]")).to_contain_text("Đang nghe tin 3/5")
    expect(player.locator("audio")).to_have_js_property("paused", False)
    # The other items are not marked.
    expect(player.locator('li[aria-current="true"]')).to_have_count(1)


def test_the_bulletin_page_has_no_accessibility_violations(browser_page, live_server, starts):
    page = browser_page
    page.goto(f"{live_server}/ban-tin/{DAY}")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_without_javascript_a_start_time_links_to_the_mp3_at_that_time(no_js_page, live_server, starts):
    page = no_js_page
    page.goto(f"{live_server}/ban-tin/")
    links = page.locator(f"{PLAYER} [data-start]")
    expect(links).to_have_count(5)
    href = links.nth(2).get_attribute("href")
    assert re.fullmatch(rf"/ban-tin/{DAY}\.mp3\?v=[0-9a-f]{{16}}#t={starts[2]:.1f}", href), href
    expect(page.locator(f"{PLAYER} audio")).to_have_attribute("controls", "")


# The worker keeps the page after answering with it: this waits (10 s at most) until the copy is there.
KEPT_PAGES = """async (path) => {
    await navigator.serviceWorker.ready;
    for (let attempt = 0; attempt < 100; attempt += 1) {
        const cache = await caches.open("docbai-pages");
        if (await cache.match(path)) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
}"""


def test_a_bulletin_page_opened_reads_offline_like_an_article(browser, live_server, starts):
    from tests.browser.conftest import PHONE_VIEWPORT

    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    try:
        page = context.new_page()
        path = f"/ban-tin/{DAY}"
        page.goto(live_server + path)
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        # Once the worker controls the page, opening it keeps it, as an article is kept.
        page.reload()
        assert page.evaluate(KEPT_PAGES, path) is True
        title = page.locator("h1").inner_text()
        context.set_offline(True)
        page.goto(live_server + path)
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator(f"{PLAYER} [data-start]")).to_have_count(5)
    finally:
        context.close()
