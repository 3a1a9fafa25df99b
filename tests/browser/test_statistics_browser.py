"""The listening statistics from real plays: a reader plays a short article to its end in Debian's Chromium (real
audio, espeak's), its player reports the play by sendBeacon, and a publisher's Thống kê shows the view, the play,
its end and how many listeners reached each sentence. Waits are locator assertions (the CSP forbids eval)."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Article, Category
from services.newsroom.accounts import PUBLISHER, PasswordHashing, create_user
from tests.browser.conftest import DESKTOP, PHONE_VIEWPORT, app_of_its_own, axe_violations, log_in
from web.site_services import flush_views

pytestmark = pytest.mark.browser

PASSWORD = "người duyệt bài xem thống kê"
TITLE = "Lịch tiếp công dân tháng Mười hai"
BODY = "<p>Ủy ban xã tiếp dân vào sáng thứ Năm.</p><p>Xin mời bà con đến đúng giờ.</p>"
PLAYBACK_TIMEOUT = 60_000  # espeak makes each sentence on demand, and the sentences are heard at their own pace


def _seed(app):
    category = Category(name="Thông báo", slug="thong-bao")
    db.session.add(Article(title=TITLE, slug="lich-tiep-cong-dan", body_html=BODY, author="UBND xã",
                           status="published", category=category,
                           published_at=dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.timezone.utc)))
    create_user("thongke", PASSWORD, PUBLISHER, PasswordHashing(1024, 1))


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """An app of its own with one short article and a publisher; its buffers are flushed by the test."""
    return app_of_its_own(tmp_path_factory, "statistics", _seed)


def _is_report(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/nghe/thong-ke")


def test_a_play_in_the_browser_shows_in_the_statistics_with_its_sentences(browser, own_app, server):
    reader = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = reader.new_page()
    page.goto(f"{server}/bai-viet/lich-tiep-cong-dan")
    expect(page.locator(".player")).to_have_attribute("data-report", "/bai-viet/lich-tiep-cong-dan/nghe/thong-ke")
    # The report that says the play reached its end is the last one the player sends.
    with page.expect_response(lambda response: _is_report(response) and response.status == 204,
                              timeout=PLAYBACK_TIMEOUT) as reported:
        page.get_by_role("button", name="Đọc bài").click()
        expect(page.locator(".player")).to_have_attribute("data-state", "ended", timeout=PLAYBACK_TIMEOUT)
    assert "het_bai=1" in reported.value.request.post_data
    assert reported.value.headers.get("set-cookie") is None
    reader.close()
    flush_views(own_app)  # what the buffers hold, written now rather than within the second

    staff = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = staff.new_page()
    log_in(page, server, "thongke", PASSWORD)
    page.get_by_role("link", name="Thống kê").click()
    expect(page.get_by_role("heading", name="Thống kê", level=1)).to_be_visible()
    listened = page.locator("section", has=page.get_by_role("heading", name="Nghe nhiều nhất"))
    expect(listened.get_by_role("row", name=re.compile(TITLE))).to_contain_text("1")
    read = page.locator("section", has=page.get_by_role("heading", name="Đọc nhiều nhất"))
    expect(read.get_by_role("row", name=re.compile(TITLE))).to_be_visible()  # the page's view beacon
    expect(page.get_by_role("img", name="Lượt nghe mỗi ngày")).to_be_visible()

    listened.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=f"Thống kê: {TITLE}")).to_be_visible()
    expect(page.locator('[data-count="play"]')).to_have_text("1")
    expect(page.locator('[data-count="end"]')).to_have_text("1")
    expect(page.get_by_role("img", name="Số người còn nghe ở mỗi câu")).to_be_visible()
    sentences = page.locator("#nguoi-nghe-tung-cau tbody tr")
    expect(sentences).to_have_count(3)  # the title and the two sentences
    for index in range(3):
        expect(page.locator(f"#cau-{index} [data-listeners]")).to_have_text("1")
    expect(page.locator("#cau-1")).to_contain_text("Ủy ban xã tiếp dân vào sáng thứ Năm.")
    assert axe_violations(page) == []
    page.get_by_role("link", name="← Thống kê chung").click()
    expect(page.get_by_role("heading", name="Thống kê", level=1)).to_be_visible()
    assert axe_violations(page) == []
    staff.close()
