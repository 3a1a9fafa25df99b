"""Tòa soạn in Debian's Chromium, the issue's whole flow: the first administrator from `flask users create` logs
in and makes an editor and a publisher; the editor writes an article from a pasted Word document and two
uploaded photos, previews it at a phone's width, listens to it and prints it; the publisher schedules it; at its
time it appears everywhere; the audit log shows each step. Also: axe on the login and editor pages, and the
editor form with JavaScript off. Waits are Playwright locator assertions."""
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from extensions import db
from models import Category
from tests.browser.conftest import (
    DESKTOP, PHONE_VIEWPORT, app_of_its_own, axe_violations, log_in, when_ready,
)

pytestmark = pytest.mark.browser

WORD = (Path(__file__).parent.parent / "fixtures" / "paste" / "word.html").read_text(encoding="utf-8")
ADMIN_PASSWORD = "quản trị viên của huyện Đồng Lâm"
EDITOR_PASSWORD = "biên tập viên viết bài mỗi sáng"
PUBLISHER_PASSWORD = "người duyệt bài đọc kỹ từng câu"
PLAYBACK_TIMEOUT = 30_000  # espeak makes the first sentence on demand


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """An app of its own (the shared demo site's lists stay as other tests expect), without a page cache, so
    a page shows the scheduled article as soon as the (faked) clock reaches its time."""
    return app_of_its_own(tmp_path_factory, "newsroom",
                          lambda app: db.session.add(Category(name="Thông báo", slug="thong-bao")), PAGE_CACHE_SECONDS=0)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Two photos as a phone takes them: JPEG, with the camera's EXIF and a GPS position."""
    folder = tmp_path_factory.mktemp("photos")
    paths = []
    for number, colour in enumerate(((30, 120, 60), (200, 160, 40)), start=1):
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
        path = folder / f"anh-{number}.jpg"
        Image.new("RGB", (800, 600), colour).save(path, "JPEG", exif=exif)
        paths.append(str(path))
    return paths


def _context(browser, viewport=DESKTOP, javascript=True):
    return browser.new_context(viewport=viewport, locale="vi-VN", java_script_enabled=javascript)


def _make_account(page, server, username, name, role, password):
    page.goto(f"{server}/bien-tap/tai-khoan")
    form = page.locator("form", has=page.get_by_role("button", name="Tạo tài khoản"))
    form.get_by_label("Tên đăng nhập").fill(username)
    form.get_by_label("Họ tên").fill(name)
    form.get_by_label("Vai trò").select_option(role)
    form.get_by_label("Mật khẩu ban đầu").fill(password)
    form.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".notices")).to_contain_text(f"Đã tạo tài khoản “{username}”")


def _paste_html(page, html):
    """A paste of HTML as Word puts it on the clipboard: a real ClipboardEvent with a DataTransfer."""
    page.locator(".editor-area").click()
    page.locator(".editor-area").evaluate(
        """(area, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "THÔNG BÁO");
            area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        html,
    )


def test_the_newsroom_flow_from_the_first_administrator_to_a_scheduled_article(
    browser, own_app, server, photos, monkeypatch
):
    # The first administrator, from the command line, the password read from standard input.
    result = own_app.test_cli_runner().invoke(args=["users", "create", "quantri", "--role", "quan-tri",
                                                         "--display-name", "Quản trị"], input=ADMIN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output

    admin_context = _context(browser)
    admin = admin_context.new_page()
    log_in(admin, server, "quantri", ADMIN_PASSWORD)
    _make_account(admin, server, "bientap", "Lê Thu Hà", "bien-tap", EDITOR_PASSWORD)
    _make_account(admin, server, "duyetbai", "Trần Văn Nam", "duyet-bai", PUBLISHER_PASSWORD)

    # The editor writes: a title, a Word document pasted, two photos uploaded with their alt text.
    editor_context = _context(browser)
    editor = editor_context.new_page()
    refused = []  # what the CSP refused (inline style or script, eval), as the browser reports it
    editor.on("console", lambda message: refused.append(message.text)
              if message.type == "error" and "Content Security Policy" in message.text else None)
    log_in(editor, server, "bientap", EDITOR_PASSWORD)
    editor.get_by_role("link", name="Viết bài mới").first.click()
    editor.get_by_label("Tiêu đề").fill("Thông báo lịch tiếp công dân tháng 12")
    editor.get_by_label("Tóm tắt").fill("Lịch tiếp công dân định kỳ của UBND huyện.")
    editor.get_by_label("Chuyên mục").select_option(label="Thông báo")
    expect(editor.get_by_role("toolbar", name="Định dạng nội dung")).to_be_visible()
    expect(editor.locator("textarea.body-source")).to_be_hidden()
    _paste_html(editor, WORD)
    area = editor.locator(".editor-area")
    expect(area.locator("ol li")).to_have_count(2)
    expect(area.locator("ul li")).to_have_count(2)
    expect(area.get_by_text("Mang theo căn cước công dân.")).to_be_visible()
    pasted = area.inner_html()
    for leftover in ("mso-", "<span", "<font", "style=", "class=", "<o:p", "MsoNormal"):
        assert leftover not in pasted, leftover
    area.press("Control+End")
    editor.locator('.rich-editor input[type="file"]').set_input_files(photos)
    expect(area.locator("figure img")).to_have_count(2)
    editor.get_by_label("Mô tả ảnh 1 (alt)").fill("Trụ sở tiếp công dân huyện")
    editor.get_by_label("Chú thích ảnh 1").fill("Trụ sở Tiếp công dân huyện Đồng Lâm.")
    editor.get_by_label("Mô tả ảnh 2 (alt)").fill("Cán bộ tiếp công dân")
    editor.get_by_role("button", name="Lưu", exact=True).click()
    expect(editor.locator(".notices")).to_contain_text("Đã lưu.")
    assert refused == []
    article_path = editor.url.split(server, 1)[1]
    article_id = int(article_path.rsplit("/", 1)[1])

    # Preview at a phone's width: the reader's page, marked, no wider than the phone.
    phone_context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN",
                                        storage_state=editor_context.storage_state())
    phone = phone_context.new_page()
    phone.goto(f"{server}/bien-tap/bai-viet/{article_id}/xem-truoc")
    expect(phone.get_by_text("BẢN XEM TRƯỚC")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thông báo lịch tiếp công dân tháng 12")
    expect(phone.locator(".article-body figure img")).to_have_count(2)
    expect(phone.locator(".article-body figcaption").first).to_have_text("Trụ sở Tiếp công dân huyện Đồng Lâm.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    # Nghe thử: the reader's player plays the draft's first sentence through the staff-only routes.
    phone.get_by_role("button", name="Đọc bài").click()
    expect(phone.locator(".player")).to_have_attribute("data-state", "playing", timeout=PLAYBACK_TIMEOUT)
    expect(phone.locator(".player audio")).to_have_attribute(
        "src", re.compile(rf"/bien-tap/bai-viet/{article_id}/nghe/0\.mp3"))

    # Bản in thử: the draft's PDF.
    pdf = when_ready(phone_context.request, f"{server}/bien-tap/bai-viet/{article_id}/ban-in.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    phone_context.close()

    # The editor hands it over; an editor has no button to publish.
    editor.goto(f"{server}{article_path}")
    expect(editor.get_by_role("button", name="Lưu và đăng (hoặc hẹn giờ)")).to_have_count(0)
    editor.get_by_role("button", name="Gửi duyệt", exact=True).click()
    expect(editor.locator(".notices")).to_contain_text("Đã gửi duyệt.")
    editor_context.close()

    # The publisher schedules it for later.
    when = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    local = when.astimezone(dt.timezone(dt.timedelta(hours=7)))
    publisher_context = _context(browser)
    publisher = publisher_context.new_page()
    log_in(publisher, server, "duyetbai", PUBLISHER_PASSWORD)
    publisher.get_by_label("Trạng thái").select_option("pending")
    publisher.get_by_role("link", name="Thông báo lịch tiếp công dân tháng 12").click()
    publisher.get_by_label("Thời gian đăng").fill(local.strftime("%Y-%m-%dT%H:%M"))
    publisher.get_by_role("button", name="Lưu và đăng (hoặc hẹn giờ)").click()
    expect(publisher.locator(".notices")).to_contain_text(f"hẹn giờ đăng lúc {local.strftime('%H:%M')}")
    publisher_context.close()

    reader = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    slug = "thong-bao-lich-tiep-cong-dan-thang-12"
    assert reader.request.get(f"{server}/bai-viet/{slug}").status == 404
    assert slug not in reader.request.get(f"{server}/rss.xml").text()

    # Its time comes (a fake clock for the one gate readers' queries go through): it is everywhere.
    monkeypatch.setattr("services.content.articles.utc_now", lambda: when + dt.timedelta(minutes=1))
    page = reader.new_page()
    page.goto(f"{server}/")
    page.get_by_role("link", name="Thông báo lịch tiếp công dân tháng 12").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo lịch tiếp công dân tháng 12")
    expect(page.get_by_text("BẢN XEM TRƯỚC")).to_have_count(0)
    for path in ("/rss.xml", "/sitemap.xml", "/chuyen-muc/thong-bao", "/tim-kiem?q=tiep+cong+dan"):
        assert slug in reader.request.get(f"{server}{path}").text(), path
    reader.close()

    # The audit log shows each step.
    admin.goto(f"{server}/bien-tap/nhat-ky")
    log = admin.locator("#nhat-ky tbody")
    for action in ("Tạo tài khoản", "Đăng nhập", "Tạo bài", "Tải ảnh lên", "Gửi duyệt", "Sửa bài", "Hẹn giờ đăng"):
        expect(log.get_by_text(action, exact=True).first).to_be_visible()
    expect(log.locator("tr.audit-article_scheduled td").nth(1)).to_have_text("duyetbai")
    admin_context.close()


def test_the_login_and_editor_pages_have_no_axe_violations(browser, own_app, server):
    own_app.test_cli_runner().invoke(args=["users", "create", "kiemtra", "--role", "bien-tap"],
                                          input=EDITOR_PASSWORD + "\n")
    for viewport in (DESKTOP, PHONE_VIEWPORT):
        context = _context(browser, viewport)
        page = context.new_page()
        page.goto(f"{server}/bien-tap/dang-nhap")
        assert axe_violations(page) == []
        log_in(page, server, "kiemtra", EDITOR_PASSWORD)
        assert axe_violations(page) == []
        page.goto(f"{server}/bien-tap/bai-viet/moi")
        expect(page.get_by_role("toolbar", name="Định dạng nội dung")).to_be_visible()
        assert axe_violations(page) == []
        # The toolbar and the editing area are reached with the keyboard, and the area is a labelled textbox.
        expect(page.get_by_role("textbox", name="Nội dung")).to_be_visible()
        page.get_by_role("button", name="Đậm").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Nghiêng")).to_be_focused()
        context.close()


def test_the_editor_works_with_javascript_off(browser, own_app, server):
    own_app.test_cli_runner().invoke(args=["users", "create", "khongjs", "--role", "bien-tap"],
                                          input=EDITOR_PASSWORD + "\n")
    context = _context(browser, javascript=False)
    page = context.new_page()
    log_in(page, server, "khongjs", EDITOR_PASSWORD)
    page.goto(f"{server}/bien-tap/bai-viet/moi")
    page.get_by_label("Tiêu đề").fill("Bài viết không cần JavaScript")
    body = page.get_by_role("textbox", name="Nội dung")
    expect(body).to_be_visible()
    body.fill('<p style="mso-line-height:150%">Nội dung <span lang="EN-US">viết tay</span>.</p><script>alert(1)</script>')
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(image, "PNG")
    page.get_by_label("Thêm ảnh vào cuối bài").set_input_files(
        files=[{"name": "anh.png", "mimeType": "image/png", "buffer": image.getvalue()}])
    page.get_by_label("Mô tả ảnh (alt)").fill("Ô vuông màu đỏ")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".notices")).to_contain_text("Đã lưu.")
    expect(body).to_have_value(re.compile(r'^<p>Nội dung viết tay\.</p><figure><img src="/media/figures/\w+\.png" alt="Ô vuông màu đỏ"'))
    context.close()


def test_unsaved_text_is_offered_back_when_the_article_is_opened_again(browser, own_app, server):
    own_app.test_cli_runner().invoke(args=["users", "create", "luutam", "--role", "bien-tap"],
                                          input=EDITOR_PASSWORD + "\n")
    context = _context(browser)
    page = context.new_page()
    log_in(page, server, "luutam", EDITOR_PASSWORD)
    page.goto(f"{server}/bien-tap/bai-viet/moi")
    page.get_by_label("Tiêu đề").fill("Bài viết dở dang")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".notices")).to_contain_text("Đã lưu.")
    page.locator(".editor-area").click()
    page.keyboard.type("Đoạn viết dở chưa kịp lưu.")
    page.get_by_label("Tiêu đề").click()  # the editing area loses focus: the copy is kept
    again = context.new_page()
    again.goto(page.url)
    expect(again.get_by_text("Trên máy này còn một bản chưa lưu của bài")).to_be_visible()
    again.get_by_role("button", name="Khôi phục bản chưa lưu").click()
    expect(again.locator(".editor-area")).to_contain_text("Đoạn viết dở chưa kịp lưu.")
    context.close()


def test_a_picture_pasted_or_dropped_into_the_editor_is_uploaded_and_asks_for_its_description(browser, own_app, server):
    import base64
    own_app.test_cli_runner().invoke(args=["users", "create", "dananh", "--role", "bien-tap"],
                                          input=EDITOR_PASSWORD + "\n")
    image = io.BytesIO()
    Image.new("RGB", (120, 90), "purple").save(image, "PNG")
    encoded = base64.b64encode(image.getvalue()).decode("ascii")
    context = _context(browser)
    page = context.new_page()
    log_in(page, server, "dananh", EDITOR_PASSWORD)
    page.goto(f"{server}/bien-tap/bai-viet/moi")
    area = page.locator(".editor-area")
    area.click()
    # A screenshot pasted from the clipboard: a file, no HTML.
    area.evaluate(
        """(area, data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "chup-man-hinh.png", {type: "image/png"}));
            area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
        }""",
        encoded,
    )
    expect(area.locator("figure img")).to_have_count(1)
    # And one dragged from the desktop onto the editing area.
    area.evaluate(
        """(area, data) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes.slice(0)], "keo-tha.png", {type: "image/png"}));
            area.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        encoded,
    )
    expect(area.locator("figure img")).to_have_count(2)
    expect(page.get_by_label("Mô tả ảnh 2 (alt)")).to_be_visible()
    expect(page.locator(".image-panel li.missing")).to_have_count(2)
    page.get_by_label("Mô tả ảnh 1 (alt)").fill("Ảnh chụp màn hình")
    expect(page.locator(".image-panel li.missing")).to_have_count(1)
    context.close()
