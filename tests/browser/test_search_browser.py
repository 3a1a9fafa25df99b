"""Search in a real browser: the header form without JavaScript, an htmx swap of the results with it."""
import re

from playwright.sync_api import expect


def test_header_search_works_without_javascript(no_js_page, live_server):
    page = no_js_page
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Tìm bài viết").fill("quoc phong")
    page.get_by_role("searchbox", name="Tìm bài viết").press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem\?q=quoc\+phong"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tìm kiếm"
    first_title = page.locator(".search-hits h2").first.inner_text().lower()
    assert "quốc phòng" in first_title
    assert page.locator(".search-hits h2 mark").first.inner_text().lower() == "quốc"


def test_search_form_swaps_results_and_pushes_the_url(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/tim-kiem")
    page.evaluate("window.__sameDocument = true")
    field = page.get_by_role("searchbox", name="Từ khóa")
    field.fill("nong thon moi")
    field.press("Enter")
    expect(page.locator("#thong-bao-trang")).to_contain_text("Tìm thấy")
    # htmx pushes the URL as the swap settles, a moment after the announcement.
    page.wait_for_url(re.compile(r"/tim-kiem\?q=nong(\+|%20)thon(\+|%20)moi$"), timeout=5000)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of swapping"
    assert page.locator(".search-hits mark").count() > 0
    assert page.title().startswith("Tìm “nong thon moi”")
    if page.locator("#ket-qua-tim-kiem nav.pager").count():
        page.get_by_role("link", name="Trang 2", exact=True).click()
        expect(page.locator("#thong-bao-trang")).to_contain_text("trang 2")
        page.wait_for_url(re.compile(r"trang=2"), timeout=5000)
        assert page.evaluate("window.__sameDocument") is True
        expect(page.locator("#ket-qua-tim-kiem")).to_be_focused()
