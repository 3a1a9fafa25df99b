"""Đọc bài sentence by sentence in Debian's Chromium: the highlight moves one sentence at a time and stays in view,
a click on a sentence reads from it, the paragraph buttons still jump by paragraph, and without the Custom
Highlight API the paragraph is highlighted instead. The player says what it shows in data-block, data-sentence
and data-highlight, since a ::highlight cannot be seen by a locator; the highlighted text itself is read from
CSS.highlights. Each sentence's audio is a minute of silence here, so the player moves on only when a test ends
a sentence: what it asserts right after a click cannot have been reached by reading on."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Article, Category
from support import silent_mp3
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.test_player import FAKE_DEVICE_VOICE, _manifest

pytestmark = pytest.mark.browser

PLAYER = ".player"
AUDIO = ".player audio"
TIMEOUT = 10_000

LEAD = ["Sáng 20/11, huyện tổ chức hội nghị tổng kết năm 2026.", "Dự hội nghị có PGS.TS. Nguyễn Văn An."]
LONG = [
    "Năm qua, huyện thu ngân sách đạt 105% kế hoạch.",
    "Toàn huyện có 1.250 hộ thoát nghèo.",
    "Đường về TP. Điện Biên Phủ được nâng cấp.",
    "ThS. Lê Thị Bình trình bày báo cáo về giáo dục.",
    "Huyện xây mới ba trường học ở vùng cao.",
    "Hơn mười hai cây số đường nông thôn được cứng hóa.",
    "Tỷ lệ trẻ em đến trường đạt 99,5%.",
    "Công tác chuyển đổi số có nhiều tiến bộ!",
    "Vì sao một số xã còn chậm?",
    "Nhiều thôn đã có điện lưới quốc gia.",
    "Người dân hưởng ứng phong trào trồng rừng.",
    "Các hợp tác xã làm ăn có lãi.",
    "Hội nghị đề ra 21 chỉ tiêu cho năm 2027.",
    "Hội nghị bế mạc lúc 11 giờ cùng ngày.",
]
# A link that starts in one sentence and ends in the next: the page is not rewritten, yet each is highlighted.
LINKED = ('<p>Xã Đồng Lâm về đích nông thôn mới <a href="/">sớm nhất. Bà con</a> trong xã rất vui mừng.</p>')
LINKED_SENTENCES = ["Xã Đồng Lâm về đích nông thôn mới sớm nhất.", "Bà con trong xã rất vui mừng."]
BODY = f"<p>{' '.join(LEAD)}</p><p>{'  '.join(LONG)}</p>{LINKED}<p>Đoạn cuối chỉ có một câu.</p>"


@pytest.fixture(scope="module")
def article_url(live_app, live_server):
    """An article with paragraphs of 2, 14, 2 and 1 sentences, published long ago so that no other test sees it
    first, and removed afterwards."""
    with live_app.app_context():
        category = db.session.execute(db.select(Category).order_by(Category.id)).scalars().first()
        article = Article(title="Huyện tổng kết năm 2026", slug="huyen-tong-ket-nam-2026-tung-cau",
                          summary="Tổng kết.", body_html=BODY, author="Minh Anh", status="published",
                          published_at=dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc), category=category)
        db.session.add(article)
        db.session.commit()
        article_id = article.id
    yield f"{live_server}/bai-viet/huyen-tong-ket-nam-2026-tung-cau"
    with live_app.app_context():
        db.session.delete(db.session.get(Article, article_id))
        db.session.commit()


def _serve_with_ranges(route, body: bytes):
    """Answer as the site does, with byte ranges, so the player can seek to a sentence's end."""
    match = re.match(r"bytes=(\d+)-(\d*)", route.request.headers.get("range", ""))
    if not match:
        route.fulfill(status=200, body=body, headers={"Content-Type": "audio/mpeg", "Accept-Ranges": "bytes"})
        return
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else len(body) - 1
    route.fulfill(status=206, body=body[start:end + 1], headers={
        "Content-Type": "audio/mpeg", "Accept-Ranges": "bytes", "Content-Range": f"bytes {start}-{end}/{len(body)}"})


@pytest.fixture(scope="module")
def minute_of_silence():
    return silent_mp3(60.0, sample_rate=8000, bit_rate=8)


@pytest.fixture
def page(browser, minute_of_silence):
    """A phone-sized page (no motion, so scrolling is at once) whose sentences each last a minute."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", reduced_motion="reduce")
    page = context.new_page()
    page.route("**/nghe/*.mp3*", lambda route: _serve_with_ranges(route, minute_of_silence))
    yield page
    context.close()


@pytest.fixture
def segments(page, article_url):
    """The article's segment list, one per sentence (the page is on the article)."""
    page.goto(article_url)
    return _manifest(page, article_url)["segments"]


def _expect_reading(page, block, sentence, highlight="sentence"):
    player = page.locator(PLAYER)
    expect(player).to_have_attribute("data-block", str(block), timeout=TIMEOUT)
    expect(player).to_have_attribute("data-sentence", str(sentence), timeout=TIMEOUT)
    expect(player).to_have_attribute("data-highlight", highlight)
    expect(player).to_have_attribute("data-state", "playing", timeout=TIMEOUT)


def _highlighted_text(page):
    return " ".join(page.evaluate("[...CSS.highlights.get('doc-bai')].map(String).join(' ')").split())


def _finish_sentence(page):
    """Skip to the last moment of the sentence playing rather than listen to it all."""
    page.locator(AUDIO).evaluate("audio => { audio.currentTime = Math.max(0, audio.duration - 0.1); }")


def _start(page):
    page.get_by_role("button", name="Đọc bài").click()
    _expect_reading(page, 0, 1)


def _click_words(page, words):
    """Click in the middle of these words of the article body (they lie inside one text node)."""
    box = page.evaluate("""words => {
        const walker = document.createTreeWalker(document.querySelector('.article-body'), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.nodeValue.indexOf(words);
            if (at < 0) continue;
            node.parentElement.scrollIntoView({ block: 'center' });
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + words.length);
            const box = range.getBoundingClientRect();
            return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
        }
        return null;
    }""", words)
    assert box, f"{words!r} is not in one text node of the page"
    page.mouse.click(box["x"], box["y"])


def test_the_highlight_moves_sentence_by_sentence(page, segments):
    _start(page)
    assert _highlighted_text(page) == "Huyện tổng kết năm 2026"
    page.get_by_role("button", name="Đoạn sau").click()
    _expect_reading(page, 1, 1)
    assert _highlighted_text(page) == LEAD[0]
    expect(page.locator("[data-status]")).to_have_text("Đoạn 2/5")
    expect(page.locator("[data-status-sentence]")).to_have_text("· câu 1/2")

    _finish_sentence(page)
    _expect_reading(page, 1, 2)
    expect(page.locator(AUDIO)).to_have_attribute("src", re.compile(r"/nghe/2\.mp3"))
    assert _highlighted_text(page) == LEAD[1]
    expect(page.locator("[data-status-sentence]")).to_have_text("· câu 2/2")
    # The paragraph is marked too, but no longer filled: only its sentence is.
    expect(page.locator('[data-seg="1"]')).to_have_class(re.compile(r"\bis-reading\b.*\bhas-sentence\b"))

    _finish_sentence(page)
    _expect_reading(page, 2, 1)
    assert _highlighted_text(page) == LONG[0]
    expect(page.locator("[data-status]")).to_have_text("Đoạn 3/5")
    expect(page.locator("[data-status-sentence]")).to_have_text("· câu 1/14")


def test_a_click_on_a_sentence_reads_from_it(page, segments):
    _start(page)
    _click_words(page, "trình bày báo cáo")
    _expect_reading(page, 2, 4)
    position = next(index for index, segment in enumerate(segments) if segment["text"] == LONG[3])
    expect(page.locator(AUDIO)).to_have_attribute("src", re.compile(rf"/nghe/{segments[position]['index']}\.mp3"))
    assert _highlighted_text(page) == LONG[3]

    # Sentences that share a link are each found and highlighted whole.
    _click_words(page, "trong xã rất vui")
    _expect_reading(page, 3, 2)
    assert _highlighted_text(page) == LINKED_SENTENCES[1]
    _click_words(page, "Xã Đồng Lâm về")
    _expect_reading(page, 3, 1)
    assert _highlighted_text(page) == LINKED_SENTENCES[0]


def test_paragraph_buttons_jump_to_a_paragraphs_first_sentence(page, segments):
    _start(page)
    _click_words(page, "Các hợp tác xã")
    _expect_reading(page, 2, 12)
    page.get_by_role("button", name="Đoạn sau").click()
    _expect_reading(page, 3, 1)
    page.get_by_role("button", name="Đoạn trước").click()
    _expect_reading(page, 2, 1)
    page.get_by_role("button", name="Đoạn trước").click()
    _expect_reading(page, 1, 1)
    page.get_by_role("button", name="Tạm dừng", exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("Tạm dừng ở đoạn 2/5 · câu 1/2")


def test_the_sentence_read_stays_in_view(page, segments):
    _start(page)
    _click_words(page, "bế mạc lúc")
    _expect_reading(page, 2, 14)
    page.evaluate("window.scrollTo(0, 0)")
    _finish_sentence(page)
    _expect_reading(page, 3, 1)
    box = page.evaluate("[...CSS.highlights.get('doc-bai')][0].getBoundingClientRect().toJSON()")
    bar_top = page.locator(".player-bar").bounding_box()["y"]
    assert 0 <= box["top"] and box["bottom"] <= bar_top


def test_without_the_highlight_api_the_paragraph_is_highlighted(page, article_url):
    page.add_init_script("delete window.Highlight;")
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    _expect_reading(page, 0, 1, highlight="block")
    _click_words(page, "trình bày báo cáo")
    _expect_reading(page, 2, 4, highlight="block")
    paragraph = page.locator('[data-seg="2"]')
    expect(paragraph).to_have_class("is-reading")
    expect(page.locator(".is-reading")).to_have_count(1)


def test_the_device_voice_reads_sentence_by_sentence(browser, article_url):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    try:
        page.add_init_script(FAKE_DEVICE_VOICE)
        page.route("**/nghe/*.mp3*", lambda route: route.fulfill(status=503, body="busy"))
        page.goto(article_url)
        spoken_forms = [segment["spoken"] for segment in _manifest(page, article_url)["segments"]]
        page.get_by_role("button", name="Đọc bài").click()
        page.get_by_role("button", name="Đọc bằng giọng của thiết bị").click()
        expect(page.locator("[data-status]")).to_have_text("Đã đọc hết bài.", timeout=TIMEOUT)
        assert [utterance["text"] for utterance in page.evaluate("window.spokenOnDevice")] == spoken_forms
        assert len(spoken_forms) == 1 + 2 + 14 + 2 + 1
    finally:
        context.close()
