"""The pager in a real browser: real links without JavaScript, an htmx swap with it."""
import re


def test_pager_works_without_javascript(no_js_page, live_server):
    no_js_page.goto(live_server + "/")
    no_js_page.get_by_role("link", name="Trang 2", exact=True).click()
    no_js_page.wait_for_url(re.compile(r"trang=2"))
    assert no_js_page.locator(".pager a[aria-current=page]").inner_text() == "2"


def test_pager_swaps_list_moves_focus_and_announces(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Trang 3", exact=True).click()
    page.wait_for_function("document.querySelector('#thong-bao-trang').textContent.includes('Trang 3')")
    # htmx pushes the URL and moves focus as the swap settles, a moment after the announcement.
    page.wait_for_url(re.compile(r"/\?trang=3$"), timeout=5000)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of swapping"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'danh-sach-bai'", timeout=5000)
    assert page.locator(".pager a[aria-current=page]").inner_text() == "3"


def test_back_and_forward_restore_the_page(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.get_by_role("link", name="Trang 2", exact=True).click()
    page.wait_for_url(re.compile(r"trang=2"))
    page.wait_for_function("document.querySelector('#thong-bao-trang').textContent.includes('Trang 2')")
    page.go_back()
    page.wait_for_function("!location.search.includes('trang=2')")
    page.wait_for_function("document.querySelector('.pager a[aria-current=page]').textContent.trim() === '1'")
    page.go_forward()
    page.wait_for_function("document.querySelector('.pager a[aria-current=page]').textContent.trim() === '2'")
    page.reload()
    assert page.locator(".pager a[aria-current=page]").inner_text() == "2"
