"""The bulletin desk in Debian's Chromium: an editor logs in, opens the day from the newsroom's menu, composes it
by the rule, moves an item up, takes one out and adds it back (htmx swaps the desk, the live region says what
happened), finds Nghe thử ready, and cannot publish; a publisher publishes it and, once its audio is made, it is
on /ban-tin/. The same desk with JavaScript off. Waits are Playwright locator assertions."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Article
from services.newsroom.accounts import EDITOR, PUBLISHER, PasswordHashing, create_user
from tests.browser.conftest import DESKTOP, app_of_its_own, axe_violations, log_in

pytestmark = pytest.mark.browser

PASSWORD = "biên tập bản tin mỗi chiều"
DAY = "2026-12-07"
TITLES = [f"Tin số {number} của huyện Đồng Lâm" for number in range(4)]


def _seed(app):
    for number, title in enumerate(TITLES):
        db.session.add(Article(
            title=title, slug=f"tin-{number}", summary="Tóm tắt ngắn của tin.",
            body_html="<p>Bà con thôn Nà Lừa làm đường bê tông.</p><p>Đường dài ba cây số.</p>",
            published_at=dt.datetime(2026, 12, 7, 9 - number, tzinfo=dt.timezone.utc),
        ))
    hashing = PasswordHashing(1024, 1)
    for username, role in (("bientap", EDITOR), ("bientap2", EDITOR), ("duyetbai", PUBLISHER)):
        create_user(username, PASSWORD, role, hashing, display_name=username)


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """An app of its own with four articles of 7/12, an editor and a publisher; no page cache."""
    return app_of_its_own(tmp_path_factory, "bulletin-desk", _seed, PAGE_CACHE_SECONDS=0)


def _login(page, server, username):
    log_in(page, server, username, PASSWORD)
    expect(page.get_by_role("navigation", name="Tòa soạn")).to_be_visible()


def _item_titles(page):
    return page.locator(".bulletin-items > li h3")


def test_an_editor_composes_and_a_publisher_publishes(browser, server, own_app):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    _login(page, server, "bientap")
    page.get_by_role("navigation", name="Tòa soạn").get_by_role("link", name="Bản tin", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản tin truyền thanh")
    assert axe_violations(page) == []
    page.get_by_label("Ngày của bản tin").fill(DAY)
    page.get_by_role("button", name="Mở bản tin").click()
    expect(page.get_by_role("heading", name="Chưa có bản tin ngày này")).to_be_visible()
    page.get_by_role("button", name="Soạn theo quy tắc").click()
    expect(_item_titles(page)).to_have_text(TITLES)
    status = page.locator("#thong-bao-trang")
    expect(status).to_contain_text("Đã soạn bản tin theo quy tắc: 4 tin.")

    page.get_by_role("button", name=f"Lên tin “{TITLES[2]}”").click()
    expect(_item_titles(page)).to_have_text([TITLES[0], TITLES[2], TITLES[1], TITLES[3]])
    expect(status).to_contain_text(f"Đã chuyển “{TITLES[2]}” lên vị trí 2.")
    # htmx swapped the desk in place: the button pressed keeps the focus.
    expect(page.get_by_role("button", name=f"Lên tin “{TITLES[2]}”")).to_be_focused()

    page.get_by_role("button", name=f"Bỏ tin “{TITLES[0]}” khỏi bản tin").click()
    expect(_item_titles(page)).to_have_text([TITLES[2], TITLES[1], TITLES[3]])
    candidates = page.get_by_role("region", name="Bài trong ngày chưa có trong bản tin")
    candidates.get_by_label(f"Cách đọc bài “{TITLES[0]}”").select_option(label="Tóm tắt")
    candidates.get_by_role("button", name=f"Thêm vào bản tin bài “{TITLES[0]}”").click()
    expect(_item_titles(page)).to_have_text([TITLES[2], TITLES[1], TITLES[3], TITLES[0]])
    expect(page.locator(".bulletin-items > li").last).to_contain_text("Đọc: Tóm tắt")

    preview = page.get_by_role("region", name="Nghe thử").locator("audio")
    expect(preview).to_have_attribute("src", re.compile(rf"/bien-tap/ban-tin/{DAY}/nghe-thu\.mp3\?v="))
    answer = page.request.get(server + preview.get_attribute("src"))
    assert answer.status == 200 and answer.headers["content-type"] == "audio/mpeg"
    assert "no-store" in answer.headers["cache-control"]
    expect(page.get_by_role("button", name="Xuất bản", exact=True)).to_have_count(0)
    assert axe_violations(page) == []
    context.close()

    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    _login(page, server, "duyetbai")
    page.goto(f"{server}/bien-tap/ban-tin/{DAY}")
    expect(_item_titles(page)).to_have_text([TITLES[2], TITLES[1], TITLES[3], TITLES[0]])
    page.get_by_role("button", name="Xuất bản", exact=True).click()
    expect(page.get_by_role("region", name="Tình trạng")).to_contain_text("Đã xuất bản")
    expect(page.get_by_role("button", name="Gỡ bản tin")).to_be_visible()
    with own_app.app_context():
        assert own_app.extensions["docbai"].jobs.drain(120)
    page.goto(f"{server}/ban-tin/")
    expect(page.get_by_role("link", name=TITLES[2]).first).to_be_visible()
    page.goto(f"{server}/bien-tap/ban-tin/{DAY}")
    expect(page.get_by_role("link", name="Nghe trên trang Bản tin")).to_be_visible()
    context.close()


def test_the_desk_works_without_javascript(browser, server, own_app):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    _login(page, server, "bientap2")
    page.goto(f"{server}/bien-tap/ban-tin/2026-12-06")
    page.get_by_role("button", name="Soạn từ đầu").click()
    expect(page.get_by_text("Đã tạo bản tin trống; hãy thêm tin.")).to_be_visible()
    expect(_item_titles(page)).to_have_count(0)
    expect(page.get_by_role("region", name="Bài trong ngày chưa có trong bản tin")).to_contain_text(
        "Không còn bài nào trong ngày để thêm.")
    page.get_by_role("textbox", name="Lời mở đầu").fill("Thưa bà con {place}, hôm nay {date}.")
    page.get_by_role("button", name="Lưu lời mở đầu").click()
    expect(page.get_by_text("Đã lưu lời mở đầu.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Lời mở đầu")).to_have_value("Thưa bà con {place}, hôm nay {date}.")
    expect(page.get_by_role("region", name="Lời mở đầu")).to_contain_text("Thưa bà con huyện Đồng Lâm, hôm nay Chủ nhật, ngày mùng sáu")
    context.close()
