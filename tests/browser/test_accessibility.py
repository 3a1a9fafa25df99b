"""WCAG 2.2 AA in a real browser: axe-core on every page type, in every reading preference and in dark mode,
reflow at 320 px, visible keyboard focus, and the preference form working with JavaScript off."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Article, Category
from tests.browser.conftest import PHONE_VIEWPORT

AXE = Axe()
# axe-core ships the WCAG 2.2 target-size rule (2.5.8, AA) switched off; the issue asks for it.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
# Each reading preference alone, two together, and the dark scheme with and without high contrast.
VARIANTS = {
    "mặc định": ({}, "light"),
    "chữ lớn": ({"size": "large"}, "light"),
    "chữ rất lớn, giãn dòng": ({"size": "larger", "spacing": "loose"}, "light"),
    "tương phản cao": ({"contrast": "high"}, "light"),
    "tiết kiệm dữ liệu": ({"data": "on"}, "light"),
    "nền tối": ({}, "dark"),
    "nền tối, tương phản cao": ({"contrast": "high"}, "dark"),
}


@pytest.fixture(scope="module")
def page_paths(live_app, live_server):
    """One URL of every page type, with an article that has a figure."""
    with live_app.app_context():
        slug = db.session.execute(
            select(Article.slug).where(Article.body_html.contains("<figure")).order_by(Article.published_at.desc())
        ).scalars().first()
        category = db.session.execute(select(Category.slug).order_by(Category.position)).scalars().first()
    paths = {
        "trang chủ": "/",
        "chuyên mục": f"/chuyen-muc/{category}",
        "bài viết": f"/bai-viet/{slug}",
        "thư viện ảnh": "/thu-vien-anh",
        "thư viện video": "/thu-vien-video",
        "tùy chọn": "/tuy-chon",
        "bài đã lưu": "/ngoai-tuyen",
        "lỗi 404": "/khong-co-trang-nay",
    }
    rules = {rule.endpoint for rule in live_app.url_map.iter_rules()}
    if "printing.print_view" in rules:
        paths["bản in"] = f"/bai-viet/{slug}/in"
    if "finding.search" in rules:
        paths["tìm kiếm"] = "/tim-kiem?q=huyện"
    return paths


def _context(browser, live_server, preferences, color_scheme, viewport=PHONE_VIEWPORT, javascript=True):
    context = browser.new_context(viewport=viewport, locale="vi-VN", color_scheme=color_scheme,
                                  reduced_motion="reduce", java_script_enabled=javascript)
    if preferences:
        value = "&".join(f"{key}={value}" for key, value in preferences.items())
        context.add_cookies([{"name": "reading", "value": value, "url": live_server}])
    return context


def _violations(page) -> list[str]:
    results = AXE.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                    for node in violation["nodes"][:4])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_page_type_has_no_axe_violations(browser, live_server, page_paths, variant):
    preferences, color_scheme = VARIANTS[variant]
    context = _context(browser, live_server, preferences, color_scheme)
    page = context.new_page()
    found = {}
    try:
        for name, path in page_paths.items():
            response = page.goto(live_server + path, wait_until="load")
            assert response.status == (404 if name == "lỗi 404" else 200), f"{path} gave {response.status}"
            violations = _violations(page)
            headings = page.evaluate("document.querySelectorAll('h1').length")
            if headings != 1:
                violations.append(f"{headings} h1 elements")
            if violations:
                found[f"{name} {path}"] = violations
    finally:
        context.close()
    assert not found, f"axe violations ({variant}): {found}"


@pytest.mark.parametrize("variant", ["mặc định", "chữ rất lớn, giãn dòng", "tiết kiệm dữ liệu"])
def test_pages_reflow_at_320_px_without_horizontal_scrolling(browser, live_server, page_paths, variant):
    preferences, color_scheme = VARIANTS[variant]
    context = _context(browser, live_server, preferences, color_scheme, viewport={"width": 320, "height": 640})
    page = context.new_page()
    too_wide = {}
    try:
        for name, path in page_paths.items():
            page.goto(live_server + path, wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide[name] = width
    finally:
        context.close()
    assert not too_wide, f"pages wider than 320 px ({variant}): {too_wide}"


def test_text_zoomed_to_200_percent_still_reflows(browser, live_server, page_paths):
    # Browser text zoom at 200% on a 640 px wide window lays out like 320 px at 100%.
    context = _context(browser, live_server, {}, "light", viewport={"width": 640, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server + page_paths["bài viết"])
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
    finally:
        context.close()


def test_every_control_shows_keyboard_focus(browser_page, live_server, page_paths):
    page = browser_page
    page.goto(live_server + page_paths["bài viết"])
    unmarked = []
    for _ in range(30):
        page.keyboard.press("Tab")
        style = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                return {tag: e.tagName, text: (e.textContent || e.value || '').trim().slice(0, 30),
                        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                        shadow: s.boxShadow !== 'none'}; }"""
        )
        if style["tag"] == "BODY":
            break
        if not (style["outline"] or style["shadow"]):
            unmarked.append(style)
    assert not unmarked, f"controls without a visible focus indicator: {unmarked}"


def test_skip_link_is_first_and_moves_to_the_main_content(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Bỏ qua")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"


def test_preferences_form_works_without_javascript(no_js_page, live_server, page_paths):
    page = no_js_page
    page.goto(live_server + page_paths["bài viết"])
    page.get_by_role("link", name="Cỡ chữ, tương phản").click()
    page.get_by_label("Rất lớn").check()
    page.get_by_label("Tương phản cao").check()
    page.get_by_role("button", name="Lưu tùy chọn").click()
    page.wait_for_url(re.compile(re.escape(page_paths["bài viết"]) + "$"))
    classes = page.evaluate("document.documentElement.className")
    assert "text-larger" in classes and "high-contrast" in classes
    font_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font_size == pytest.approx(22, abs=0.5)
    page.get_by_role("button", name="Tiết kiệm dữ liệu").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Tiết kiệm dữ liệu").get_attribute("aria-pressed") == "true"
    assert page.locator(".article-body img").count() == 0
    assert re.match(r"Tải ảnh \(\d+ KB\): ", page.locator(".article-body a.image-placeholder").first.text_content())
    page.goto(live_server + "/tuy-chon")
    page.get_by_role("button", name="Trở về mặc định").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.className") == ""


def test_data_saver_loads_an_image_in_place_when_asked(browser, live_server, page_paths):
    context = _context(browser, live_server, {"data": "on"}, "light")
    page = context.new_page()
    try:
        page.goto(live_server + page_paths["bài viết"])
        placeholder = page.locator(".article-body a.image-placeholder").first
        placeholder.click()
        image = page.locator(".article-body img").first
        # Locator assertions wait; a string predicate in wait_for_function needs eval, which the CSP forbids.
        expect(image).to_have_js_property("complete", True)
        expect(image).not_to_have_js_property("naturalWidth", 0)
        expect(image).to_be_focused()
    finally:
        context.close()


def test_resized_webp_copies_are_what_a_phone_loads(browser_page, live_server, page_paths):
    page = browser_page
    loaded = []
    page.on("response", lambda response: loaded.append((response.url, response.headers.get("content-type"))))
    page.goto(live_server + page_paths["bài viết"])
    image = page.locator(".article-body img").first
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    images = [(url, kind) for url, kind in loaded if kind and kind.startswith("image/")]
    # The view beacon is a 1×1 GIF the page loads to be counted, not a picture a reader sees.
    beacons = [url for url, _ in images if url.endswith("/xem.gif")]
    pictures = [(url, kind) for url, kind in images if not url.endswith("/xem.gif")]
    assert len(beacons) == 1, images
    assert pictures and all("/media/_sizes/" in url and kind == "image/webp" for url, kind in pictures), images


def test_a_list_is_busy_while_htmx_loads_the_next_page(browser_page, live_server):
    page = browser_page
    page.goto(live_server + "/")
    page.evaluate(
        """() => { window.__busy = [];
            new MutationObserver(records => records.forEach(r => window.__busy.push(
                r.target.id + ':' + r.target.getAttribute('aria-busy')))).observe(document.body,
                {subtree: true, attributes: true, attributeFilter: ['aria-busy']}); }"""
    )
    page.get_by_role("link", name="Trang 2", exact=True).click()
    expect(page.locator("#thong-bao-trang")).to_contain_text("Trang 2")
    assert "danh-sach-bai:true" in page.evaluate("window.__busy")
    expect(page.locator("#danh-sach-bai")).not_to_have_attribute("aria-busy", re.compile(".*"))
