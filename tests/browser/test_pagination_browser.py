"""The pager in a real browser: real links without JavaScript, an htmx swap with it. Waits are locator
assertions: a string predicate in wait_for_function needs eval, which the site's CSP forbids."""
import re

from playwright.sync_api import expect

CURRENT_PAGE = ".pager a[aria-current=page]"


def test_pager_works_without_javascript(no_js_page, live_server):
    no_js_page.goto(live_server + "/")
    no_js_page.get_by_role("link", name="Trang 2", exact=True).click()
    expect(no_js_page).to_have_url(re.compile(r"trang=2"))
    expect(no_js_page.locator(CURRENT_PAGE)).to_have_text("2")


def test_pager_swaps_list_moves_focus_and_announces(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Trang 3", exact=True).click()
    expect(page.locator("#thong-bao-trang")).to_contain_text("Trang 3")
    # htmx pushes the URL and moves focus as the swap settles, a moment after the announcement.
    expect(page).to_have_url(re.compile(r"/\?trang=3$"))
    expect(page.locator("#danh-sach-bai")).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of swapping"
    expect(page.locator(CURRENT_PAGE)).to_have_text("3")


def test_back_and_forward_restore_the_page(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.get_by_role("link", name="Trang 2", exact=True).click()
    expect(page).to_have_url(re.compile(r"trang=2"))
    expect(page.locator("#thong-bao-trang")).to_contain_text("Trang 2")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"trang=2"))
    expect(page.locator(CURRENT_PAGE)).to_have_text("1")
    page.go_forward()
    expect(page.locator(CURRENT_PAGE)).to_have_text("2")
    page.reload()
    expect(page.locator(CURRENT_PAGE)).to_have_text("2")
