"""Từ điển đọc in Debian's Chromium, the issue's "done when": an editor finds a misread word from the published
article's check panel, adds it from the prefilled form, hears it through the site's narrator, and the article's
audio is made again by itself (listeners get the old audio until then). Waits are locator assertions, or a
bounded number of polite polls of a file being made."""
import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Article
from services.newsroom.accounts import EDITOR, PasswordHashing, create_user
from tests.browser.conftest import DESKTOP, app_of_its_own, axe_violations, log_in, when_ready

pytestmark = pytest.mark.browser

PASSWORD = "biên tập viên sửa cách đọc"
UNKNOWN = "PTNNX"
SPOKEN = "phòng trồng nấm Nà Xé"
SLUG = "nam-na-xe"


def _seed(app):
    create_user("bientap", PASSWORD, EDITOR, PasswordHashing(1024, 1), display_name="Biên tập")
    db.session.add(Article(title="Mô hình trồng nấm ở Nà Xé", slug=SLUG, status="published",
                           body_html=f"<p>Tổ {UNKNOWN} thu hoạch vụ nấm đầu tiên.</p>",
                           published_at=dt.datetime(2026, 11, 2, 1, tzinfo=dt.timezone.utc)))


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    return app_of_its_own(tmp_path_factory, "lexicon", _seed, PAGE_CACHE_SECONDS=0)


def _whole_file(request, url, attempts=60):
    """The article's MP3 once it is whole in the cache (answered with its ETag): a busy machine may first answer
    "đang chuẩn bị", or stream it while it is made (no ETag); asked again then, a bounded number of times."""
    for _ in range(attempts):
        response = when_ready(request, url)
        if response.status == 200 and "etag" in response.headers:
            return response
        time.sleep(1)
    return response


def _spoken_for_listeners(request, server):
    return " ".join(segment["spoken"] for segment in request.get(f"{server}/bai-viet/{SLUG}/nghe.json").json()["segments"])


def test_an_editor_fixes_a_misread_word_from_the_check_panel_and_the_audio_is_made_again(browser, own_app,
                                                                                           server):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    # A listener has heard the article as it reads now: the word spelled letter by letter.
    old_audio = _whole_file(page.request, f"{server}/bai-viet/{SLUG}/nghe.mp3")
    assert old_audio.status == 200 and old_audio.headers["content-type"] == "audio/mpeg" and old_audio.headers["etag"]
    assert UNKNOWN in _spoken_for_listeners(page.request, server)

    log_in(page, server, "bientap", PASSWORD)

    # The published article, opened in the newsroom: its check panel flags the capitals it does not know.
    page.get_by_role("link", name="Mô hình trồng nấm ở Nà Xé").click()
    panel = page.locator("#cach-doc")
    expect(panel.get_by_role("heading", name="Kiểm tra cách đọc")).to_be_visible()
    doubt = panel.locator(".doubt-capitals", has_text=UNKNOWN)
    expect(doubt).to_contain_text("chưa có trong từ điển")
    sentence_sample = doubt.get_by_role("link", name=f"Nghe thử “{UNKNOWN}” trong câu").get_attribute("href")
    heard = when_ready(page.request, server + sentence_sample)
    assert heard.status == 200 and heard.headers["content-type"] == "audio/mpeg"

    # "Thêm vào từ điển": the form comes filled in with the word.
    doubt.get_by_role("link", name=f"Thêm “{UNKNOWN}” vào từ điển").click()
    expect(page.get_by_role("heading", name="Từ điển đọc", level=1)).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Thêm vào từ điển"))
    expect(form.get_by_label("Cách viết")).to_have_value(UNKNOWN)
    form.get_by_label("Cách đọc").fill(SPOKEN)
    form.get_by_role("button", name="Thêm vào từ điển").click()
    expect(page.locator(".notices")).to_contain_text(f"Đã thêm “{UNKNOWN}” đọc là “{SPOKEN}”")
    row = page.locator("#danh-sach-tu tr", has_text=UNKNOWN)
    expect(row).to_contain_text(SPOKEN)
    expect(row).to_contain_text("bientap")

    # Nghe thử: the entry inside a short sentence, through the site's own narrator.
    sample = row.get_by_role("link", name=f"Nghe thử “{UNKNOWN}”").get_attribute("href")
    heard = when_ready(page.request, server + sample)
    assert heard.status == 200 and heard.headers["content-type"] == "audio/mpeg" and len(heard.body()) > 1000

    # The check panel now says it the editor's way, and no longer doubts it.
    page.goto(f"{server}/bien-tap/bai-viet/1/cach-doc")
    expect(page.locator("#cach-doc .spoken").nth(1)).to_contain_text(f"Tổ {SPOKEN} thu hoạch")
    expect(page.locator("#cach-doc .doubt-capitals", has_text=UNKNOWN)).to_have_count(0)
    expect(page.locator("#cach-doc .changes-made").nth(0)).to_contain_text("mục của biên tập viên")

    # The published article's audio is made again by itself, at low priority; listeners get the old audio
    # (its text) until the new one is whole, then the new one.
    for _ in range(60):
        if SPOKEN in _spoken_for_listeners(page.request, server):
            break
        assert UNKNOWN in _spoken_for_listeners(page.request, server)  # never a mix: the old text, or the new
        time.sleep(1)
    assert SPOKEN in _spoken_for_listeners(page.request, server)
    new_audio = _whole_file(page.request, f"{server}/bai-viet/{SLUG}/nghe.mp3")
    assert new_audio.status == 200 and new_audio.headers["content-type"] == "audio/mpeg"
    assert new_audio.headers.get("etag") not in (None, old_audio.headers["etag"])
    assert SPOKEN in _spoken_for_listeners(page.request, server)  # the file and the sentence list name one text

    # Both pages pass axe (the newsroom's editor page is checked in test_newsroom_browser.py, panel included).
    for path in ("/bien-tap/tu-dien", "/bien-tap/bai-viet/1/cach-doc"):
        page.goto(server + path)
        assert axe_violations(page) == [], path
    context.close()
