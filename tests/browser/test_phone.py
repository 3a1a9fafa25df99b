"""A phone in hand: where an article's title and text start on the first screen, the Menu without JavaScript,
the way back to a page of "Các tin khác", and the small things a phone shows (times, titles, bullets)."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Article

# A reading preference cookie per variant; "larger" is the largest text size the site offers.
PREFERENCES = {
    "mặc định": "",
    "chữ lớn": "size=large",
    "chữ lớn nhất": "size=larger",
    "tương phản cao": "contrast=high",
    "chữ lớn nhất, tương phản cao": "size=larger&contrast=high",
}
PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 568}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def article_path(live_app):
    """The newest article with a figure: the page a reader opens from the home page."""
    with live_app.app_context():
        slug = db.session.execute(
            select(Article.slug).where(Article.body_html.contains("<figure")).order_by(Article.published_at.desc())
        ).scalars().first()
    return f"/bai-viet/{slug}"


def _open(browser, live_server, path, viewport, preferences="", javascript=True):
    context = browser.new_context(viewport=viewport, locale="vi-VN", java_script_enabled=javascript)
    if preferences:
        context.add_cookies([{"name": "reading", "value": preferences, "url": live_server}])
    page = context.new_page()
    page.goto(live_server + path)
    return context, page


def _top(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box["y"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("variant", list(PREFERENCES))
def test_article_text_starts_on_a_phones_first_screen(browser, live_server, article_path, variant, javascript):
    context, page = _open(browser, live_server, article_path, PHONE, PREFERENCES[variant], javascript)
    try:
        if javascript:
            # offline.js shows Lưu as soon as it runs: the row is measured as the reader sees it.
            expect(page.get_by_role("button", name="Lưu để nghe/đọc sau")).to_be_visible()
        title = _top(page.locator("h1"))
        date = _top(page.locator(".article-header time"))
        views = _top(page.locator(".article-header .views"))
        listen = page.locator(".article-tools .listen-tool :visible").first
        print_link = page.get_by_role("link", name=re.compile("^In"))
        first_paragraph = _top(page.locator(".article-body p").first)
        print(f"\n360×740 {variant} {'JS' if javascript else 'no JS'}: title {title:.0f}, text {first_paragraph:.0f}")
        assert first_paragraph < PHONE["height"], f"the text starts at {first_paragraph:.0f} px"
        assert title < date <= views < _top(listen) < first_paragraph
        # Đọc bài, In and (with JavaScript) Lưu sit side by side in one row.
        assert _top(listen) == pytest.approx(_top(print_link), abs=2)
        if javascript:
            assert _top(page.get_by_role("button", name="Lưu để nghe/đọc sau")) == pytest.approx(_top(listen), abs=2)
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("variant", list(PREFERENCES))
def test_title_starts_in_the_top_half_of_a_small_phone(browser, live_server, article_path, variant, javascript):
    context, page = _open(browser, live_server, article_path, SMALL_PHONE, PREFERENCES[variant], javascript)
    try:
        title = _top(page.locator("h1"))
        print(f"\n320×568 {variant} {'JS' if javascript else 'no JS'}: title {title:.0f}, "
              f"text {_top(page.locator('.article-body p').first):.0f}")
        assert title < SMALL_PHONE["height"] / 2
    finally:
        context.close()


def test_menu_opens_without_javascript_and_leads_to_a_category(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server + "/")
    category = page.get_by_role("link", name="Kinh tế", exact=True)
    expect(category).to_be_hidden()
    # The search stays in reach on the first screen, beside the Menu.
    expect(page.get_by_role("searchbox", name="Tìm bài viết")).to_be_visible()
    page.locator(".site-menu > summary").click()
    expect(category).to_be_visible()
    category.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kinh tế")


def test_desktop_keeps_the_open_menu(browser, live_server, article_path):
    context, page = _open(browser, live_server, article_path, DESKTOP)
    try:
        expect(page.locator(".site-menu > summary")).to_be_hidden()
        expect(page.get_by_role("link", name="Kinh tế", exact=True)).to_be_visible()
        expect(page.get_by_role("searchbox", name="Tìm bài viết")).to_be_visible()
        expect(page.get_by_role("link", name="Cỡ chữ, tương phản")).to_be_visible()
        expect(page.locator(".tool-note").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("preferences", ["", "size=larger"])
def test_a_time_keeps_its_sa_or_ch(browser, live_server, article_path, preferences):
    for path in ("/", article_path):
        context, page = _open(browser, live_server, path, SMALL_PHONE, preferences)
        try:
            times = page.locator("main time")
            expect(times.first).to_have_text(re.compile(r"\d{1,2}:\d\d:\d\d (SA|CH)$"))
            # Every time is on one line, and none pushes the page wider than the phone.
            lines = page.evaluate("[...document.querySelectorAll('main time')].map(t => t.getClientRects().length)")
            assert set(lines) == {1}, lines
            assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
        finally:
            context.close()


def test_sidebar_bullets_sit_on_the_first_line_of_a_wrapped_link(browser, live_server):
    context, page = _open(browser, live_server, "/", {"width": 1280, "height": 800})
    try:
        items = page.locator(".sidebar-box .plain li")
        expect(items.first).to_be_visible()
        wrapped = 0
        for index in range(items.count()):
            item, link = items.nth(index), items.nth(index).locator("a")
            # A block link starts where its item starts: the bullet sits on its first line, not its last.
            assert link.bounding_box()["y"] == pytest.approx(item.bounding_box()["y"], abs=1)
            wrapped += link.bounding_box()["height"] > 40
        assert wrapped, "no sidebar link wraps: the test shows nothing"
    finally:
        context.close()


def test_a_list_page_title_says_which_page(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/?trang=3")
    expect(page).to_have_title(re.compile(r"^Trang 3 — "))
    page.get_by_role("link", name="Trang 4", exact=True).click()
    expect(page.locator("#thong-bao-trang")).to_contain_text("Trang 4")
    expect(page).to_have_title(re.compile(r"^Trang 4 — "))


def test_print_view_asks_for_no_favicon(browser_page, live_server, article_path):
    page = browser_page
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server + article_path + "/in", wait_until="load")
    expect(page.locator("h1")).to_be_visible()
    assert not [url for url in asked if "favicon" in url], asked


def _back_to_the_same_page_of_other_articles(page, live_server, article_path):
    page.goto(live_server + "/")
    page.goto(live_server + article_path)
    others = page.get_by_role("navigation", name="Phân trang các tin khác")
    others.get_by_role("link", name="Trang 2", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?trang=2$"))
    page.get_by_role("navigation", name="Phân trang các tin khác").get_by_role("link", name="Trang 3", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?trang=3$"))
    current = page.locator("#tin-khac .pager a[aria-current=page]")
    expect(current).to_have_text("3")
    opened = page.locator("#tin-khac .card-title a").first
    title = opened.inner_text()
    opened.click()
    expect(page.locator("h1")).to_have_text(title)
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(article_path) + r"\?trang=3$"))
    expect(current).to_have_text("3")
    # The article's own URL stays the one crawlers know.
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", re.compile(re.escape(article_path) + "$"))
    return page


def test_back_returns_to_the_page_of_other_articles(browser_page, live_server, article_path):
    page = _back_to_the_same_page_of_other_articles(browser_page, live_server, article_path)
    # Paging replaced the URL instead of adding entries: one more Back leaves the article.
    page.go_back()
    expect(page).to_have_url(live_server + "/")


def test_back_returns_to_the_page_of_other_articles_without_javascript(no_js_page, live_server, article_path):
    _back_to_the_same_page_of_other_articles(no_js_page, live_server, article_path)
